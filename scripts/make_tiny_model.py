"""Build a tiny MarianMT zh→en model that loads exactly like Helsinki-NLP/opus-mt-zh-en.

    python scripts/make_tiny_model.py OUT_DIR [--memorize PAIRS.tsv] [--seconds 20] [--fast-tokenizer]

The folder holds what the real model's folder holds (config.json, generation_config.json,
model.safetensors, source.spm, target.spm, vocab.json, tokenizer_config.json), written
with `save_pretrained`, so `qabrief.translate.load_translator(OUT_DIR)` goes through the
same code path as for the real model. The sentencepiece vocabularies are trained on the
seed transcript (Simplified, as the model receives it) and on the English side of the
pairs.

With --memorize, the model is trained on CPU for a few seconds until greedy decoding
reproduces every pair of the TSV file (Chinese<TAB>English, one per line). Without it,
weights are random: output is nonsense but shapes, loading and batching are real.

With --fast-tokenizer, the folder instead holds one shared `tokenizer.json` (a Rust
`tokenizers` Unigram model, loaded as PreTrainedTokenizerFast), as NLLB and most hub
models do: it exercises the thread-safety of fast tokenizers, which MarianTokenizer
(pure Python) does not.

Hub-free by design: this is how tests, the app and the benchmarks get a model here.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"
ENGLISH_FILLER = (
    "The ministry will continue to promote the development of manufacturing and the digital economy. "
    "We have built the largest 5G network in the world, with more than one million base stations. "
    "Thank you for your question. New energy vehicles grew rapidly in the first eight months of this year."
)


def read_pairs(path: Path | None) -> list[tuple[str, str]]:
    if path is None:
        return []
    pairs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if "\t" not in line:
            raise SystemExit(f"{path}:{n}: expected 'Chinese<TAB>English'")
        zh, en = line.split("\t", 1)
        pairs.append((zh.strip(), en.strip()))
    return pairs


def _train_spm(sentences: list[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=buf, vocab_size=vocab_size, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False, bos_id=-1, eos_id=-1, unk_id=0, minloglevel=3,
        split_digits=True,
    )
    return buf.getvalue()


def _fast_tokenizer(zh: list[str], en: list[str], max_length: int):
    """A shared-vocabulary Unigram tokenizer in Rust `tokenizers`, appending </s> like Marian's."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=2200, special_tokens=["</s>", "<unk>", "<pad>"], unk_token="<unk>",
                                      show_progress=False)
    tok.train_from_iterator(zh * 2 + en * 4, trainer)
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A $B </s>",
                                                       special_tokens=[("</s>", tok.token_to_id("</s>"))])
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
                                   model_max_length=max_length)


def build(out: Path, pairs: list[tuple[str, str]], *, d_model: int = 64, layers: int = 2, max_length: int = 64,
          heads: int = 4, ffn: int | None = None, vocab_size: int | None = None, seed: int = 0,
          fast_tokenizer: bool = False):
    """Write an untrained model to `out`; returns (tokenizer, model).

    The defaults make the tiny test model; benchmarks pass opus-mt-zh-en's sizes
    (d_model 512, 6 layers, 8 heads, FFN 2048, vocab 65001) for a same-architecture stand-in.
    """
    import sentencepiece as spm
    import torch
    from transformers import MarianTokenizer

    from qabrief.parse import parse

    torch.manual_seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    transcript = parse(SEED)
    zh = [s.simplified for t in transcript.turns for s in t.sentences] + [p[0] for p in pairs]
    en = [p[1] for p in pairs] + ENGLISH_FILLER.split(". ")
    if fast_tokenizer:
        tokenizer = _fast_tokenizer(zh, en, max_length)
        return tokenizer, _model(tokenizer.get_vocab(), tokenizer.pad_token_id, d_model, layers, max_length, heads,
                                 ffn, vocab_size)
    (out / "source.spm").write_bytes(_train_spm(zh * 2, 1800))
    (out / "target.spm").write_bytes(_train_spm(en * 4, 400))
    vocab = {"</s>": 0, "<unk>": 1}
    for name in ("source.spm", "target.spm"):
        sp = spm.SentencePieceProcessor(model_file=str(out / name))
        for i in range(sp.get_piece_size()):
            vocab.setdefault(sp.id_to_piece(i), len(vocab))
    while vocab_size and len(vocab) < vocab_size - 1:  # real-size vocabulary: every id must decode
        vocab[f"▁unused{len(vocab)}"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json"),
                                source_lang="zh", target_lang="en", model_max_length=max_length)
    return tokenizer, _model(vocab, vocab["<pad>"], d_model, layers, max_length, heads, ffn, vocab_size)


def _model(vocab: dict, pad: int, d_model: int, layers: int, max_length: int, heads: int, ffn: int | None,
           vocab_size: int | None):
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    config = MarianConfig(
        vocab_size=max(len(vocab), vocab_size or 0), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn or d_model * 2,
        decoder_ffn_dim=ffn or d_model * 2, max_position_embeddings=max_length, pad_token_id=pad, eos_token_id=0,
        decoder_start_token_id=pad, forced_eos_token_id=0, scale_embedding=True, share_encoder_decoder_embeddings=True,
    )
    model = MarianMTModel(config)
    _zero_pad_row(model)
    model.generation_config = GenerationConfig(
        num_beams=4, max_length=max_length, bad_words_ids=[[pad]], pad_token_id=pad, eos_token_id=0,
        decoder_start_token_id=pad, forced_eos_token_id=0,
    )
    return model


def memorize(tokenizer, model, pairs: list[tuple[str, str]], seconds: float = 600.0, seed: int = 0,
             max_steps: int = 5000) -> int:
    """Train until greedy decoding reproduces every pair; returns steps.

    Bounded by steps, not only by time, so a busy machine makes it slower, not flakier
    (about 600 steps, 15 s on an idle 2-core CPU)."""
    import torch

    random.seed(seed)
    torch.manual_seed(seed)
    # One thread: the same trajectory on every machine, however busy (multi-threaded sums
    # reorder floating-point additions); the model is too small to gain from more.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(tokenizer, model, pairs, seconds, max_steps)
    finally:
        torch.set_num_threads(threads)


def _train(tokenizer, model, pairs, seconds, max_steps) -> int:
    import torch

    batch = tokenizer([p[0] for p in pairs], text_target=[p[1] for p in pairs], return_tensors="pt", padding=True)
    labels = batch["labels"].masked_fill(batch["labels"] == tokenizer.pad_token_id, -100)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=500, gamma=0.5)
    deadline = time.monotonic() + seconds
    step = 0
    while time.monotonic() < deadline and step < max_steps:
        model.train()
        for _ in range(50):
            loss = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            _zero_pad_row(model)
            scheduler.step()
            step += 1
        if loss.item() < 0.1 and _reproduces(tokenizer, model, pairs):
            return step
    raise SystemExit(f"could not memorise the pairs in {step} steps (loss {loss.item():.3f})")


def _zero_pad_row(model) -> None:
    """Keep the <pad> embedding at zero, as in the converted OPUS-MT models.

    Marian NMT has no pad token: the Hugging Face conversion appends an all-zero row, and
    decoding starts from it (decoder_start_token_id = pad). CTranslate2 relies on that
    ("start from a zero embedding"), so a trained non-zero row would make the two
    backends disagree. The tied output projection would otherwise move it.
    """
    import torch

    with torch.no_grad():
        model.model.shared.weight[model.config.pad_token_id].zero_()


def _reproduces(tokenizer, model, pairs) -> bool:
    import torch

    model.eval()
    with torch.no_grad():
        enc = tokenizer([p[0] for p in pairs], return_tensors="pt", padding=True)
        out = model.generate(**enc, num_beams=1, do_sample=False, max_new_tokens=60, max_length=None)
    got = tokenizer.batch_decode(out, skip_special_tokens=True)
    return got == [p[1] for p in pairs]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--memorize", type=Path, metavar="PAIRS.tsv", help="Chinese<TAB>English pairs to memorise")
    ap.add_argument("--seconds", type=float, default=600.0, help="training time limit (safety net)")
    ap.add_argument("--max-length", type=int, default=64, help="model's maximum sequence length in tokens")
    ap.add_argument("--fast-tokenizer", action="store_true", help="a Rust tokenizer.json instead of Marian's spm files")
    args = ap.parse_args(argv)
    pairs = read_pairs(args.memorize)
    tokenizer, model = build(args.out_dir, pairs, max_length=args.max_length, fast_tokenizer=args.fast_tokenizer)
    if pairs:
        start = time.monotonic()
        steps = memorize(tokenizer, model, pairs, args.seconds)
        print(f"memorised {len(pairs)} pairs in {steps} steps, {time.monotonic() - start:.1f}s", file=sys.stderr)
    model.eval()
    model.save_pretrained(args.out_dir)
    tokenizer.save_pretrained(args.out_dir)
    print(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
