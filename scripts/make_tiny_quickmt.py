"""Build a tiny zh→en model in quickmt-zh-en's published layout (CTranslate2 format).

    python scripts/make_tiny_quickmt.py OUT_DIR --memorize PAIRS.tsv

The folder holds what `quickmt/quickmt-zh-en` publishes on the Hub: `model.bin` and
`config.json` (CTranslate2), `source_vocabulary.json` and `target_vocabulary.json` (two
separate vocabularies of different sizes), `src.spm.model` and `tgt.spm.model` (separate
SentencePiece models), a README, and an `eole_model/` folder (the training framework's
checkpoint) that inference must ignore. Vocabularies are the SentencePiece pieces in id
order (<unk>, <s>, </s>, <pad>, …) and the config asks CTranslate2 to add the source BOS
and no source EOS, as quickmt-train exports them; decoding starts from <s>.

How: a small MarianMT with separate vocabularies (`share_encoder_decoder_embeddings=False`)
is trained on CPU until greedy decoding reproduces the pairs, then written with
CTranslate2's own Marian layer mapping and registered with the two vocabularies. The
model is what the tests load through the `quickmt-zh-en` preset, the path users take.
Hub-free by design, like make_tiny_model.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_tiny_model import ENGLISH_FILLER, SEED, read_pairs  # noqa: E402

UNK, BOS, EOS, PAD = 0, 1, 2, 3  # SentencePiece ids, as quickmt-train's vocabularies have them
LAYOUT = ("model.bin", "config.json", "source_vocabulary.json", "target_vocabulary.json", "src.spm.model",
          "tgt.spm.model")


def _spm(sentences: list[str], vocab_size: int) -> bytes:
    import io

    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=buf, vocab_size=vocab_size, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False, unk_id=UNK, bos_id=BOS, eos_id=EOS, pad_id=PAD,
        minloglevel=3, split_digits=True,
    )
    return buf.getvalue()


def build(out: Path, pairs: list[tuple[str, str]], seconds: float = 600.0, max_steps: int = 6000) -> int:
    """Write the folder; returns the training steps taken."""
    import sentencepiece as spm
    import torch

    from qabrief.parse import parse

    torch.manual_seed(0)
    zh = [s.simplified for t in parse(SEED).turns for s in t.sentences] + [p[0] for p in pairs]
    en = [p[1] for p in pairs if p[1]] + ENGLISH_FILLER.split(". ")
    spm_files = {"src.spm.model": _spm(zh * 2, 1200), "tgt.spm.model": _spm(en * 4, 300)}
    src = spm.SentencePieceProcessor(model_proto=spm_files["src.spm.model"])
    tgt = spm.SentencePieceProcessor(model_proto=spm_files["tgt.spm.model"])
    model = _marian(src.get_piece_size(), tgt.get_piece_size())
    steps = _memorize(model, src, tgt, pairs, seconds, max_steps) if pairs else 0
    _save_ct2(model, out, [src.id_to_piece(i) for i in range(src.get_piece_size())],
              [tgt.id_to_piece(i) for i in range(tgt.get_piece_size())])  # replaces the folder: files after it
    for name, data in spm_files.items():
        (out / name).write_bytes(data)
    _eole_folder(out / "eole_model")
    (out / "README.md").write_text("Tiny test model in quickmt-zh-en's layout (built by qabrief's tests).\n")
    return steps


def _marian(src_size: int, tgt_size: int):
    from transformers import MarianConfig, MarianMTModel

    config = MarianConfig(
        vocab_size=src_size, decoder_vocab_size=tgt_size, share_encoder_decoder_embeddings=False, d_model=64,
        encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
        encoder_ffn_dim=128, decoder_ffn_dim=128, max_position_embeddings=512, pad_token_id=PAD,
        eos_token_id=EOS, bos_token_id=BOS, decoder_start_token_id=BOS, forced_eos_token_id=None,
        scale_embedding=True, activation_function="swish",
    )
    return MarianMTModel(config)


def _batch(src, tgt, pairs):
    """Encoder input <s> + pieces (CTranslate2 adds the <s>: add_source_bos); decoder <s> + pieces → pieces + </s>."""
    import torch

    sources = [[BOS] + src.encode(zh) for zh, _ in pairs]
    targets = [tgt.encode(en) if en else [] for _, en in pairs]
    width, depth = max(map(len, sources)), max(map(len, targets)) + 1
    input_ids = torch.tensor([s + [PAD] * (width - len(s)) for s in sources])
    decoder_ids = torch.tensor([[BOS] + t + [PAD] * (depth - 1 - len(t)) for t in targets])
    labels = torch.tensor([t + [EOS] + [-100] * (depth - 1 - len(t)) for t in targets])
    return input_ids, (input_ids != PAD).long(), decoder_ids, labels


def _memorize(model, src, tgt, pairs, seconds: float, max_steps: int) -> int:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the same trajectory on every machine (see make_tiny_model.memorize)
    try:
        input_ids, mask, decoder_ids, labels = _batch(src, tgt, pairs)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=500, gamma=0.5)
        deadline, step = time.monotonic() + seconds, 0
        while time.monotonic() < deadline and step < max_steps:
            model.train()
            for _ in range(50):
                # padding after a target's end is causal-masked from what precedes it and ignored by the loss
                loss = model(input_ids=input_ids, attention_mask=mask, decoder_input_ids=decoder_ids,
                             labels=labels).loss
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                scheduler.step()
                step += 1
            if loss.item() < 0.05 and _reproduces(model, src, tgt, pairs, input_ids, mask):
                return step
        raise SystemExit(f"could not memorise the pairs in {step} steps (loss {loss.item():.3f})")
    finally:
        torch.set_num_threads(threads)


def _reproduces(model, src, tgt, pairs, input_ids, mask) -> bool:
    import torch

    model.eval()
    with torch.no_grad():
        out = model.generate(input_ids=input_ids, attention_mask=mask, num_beams=1, do_sample=False,
                             max_new_tokens=60, max_length=None, decoder_start_token_id=BOS, eos_token_id=EOS,
                             pad_token_id=PAD)
    got = [tgt.decode([i for i in row.tolist() if i not in (BOS, EOS, PAD)]) for row in out]
    return got == [en for _, en in pairs]


def _save_ct2(model, out: Path, source_vocabulary: list[str], target_vocabulary: list[str]) -> None:
    from ctranslate2.converters.converter import Converter
    from ctranslate2.converters.transformers import BartLoader

    class QuickmtLayout(Converter):
        def _load(self):
            model.config.normalize_before = False  # Marian is post-norm
            model.config.normalize_embedding = False
            spec = BartLoader().get_model_spec(model.eval())
            spec.config.bos_token, spec.config.eos_token, spec.config.unk_token = "<s>", "</s>", "<unk>"
            spec.config.decoder_start_token = "<s>"
            spec.config.add_source_bos, spec.config.add_source_eos = True, False
            spec.register_source_vocabulary(source_vocabulary)
            spec.register_target_vocabulary(target_vocabulary)
            return spec

    QuickmtLayout().convert(str(out), quantization="float32", force=True)


def _eole_folder(folder: Path) -> None:
    """What the Hub repository also carries: the training checkpoint, which nothing may load."""
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"model": {"architecture": "transformer"}, "note": "not for "
                                                    "inference: a loader that reads this folder is wrong"}))
    (folder / "model.00.safetensors").write_bytes(b"not a model")
    (folder / "vocab.json").write_text("{}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--memorize", type=Path, metavar="PAIRS.tsv", help="Chinese<TAB>English pairs to memorise")
    ap.add_argument("--seconds", type=float, default=600.0, help="training time limit (safety net)")
    args = ap.parse_args(argv)
    start = time.monotonic()
    steps = build(args.out_dir, read_pairs(args.memorize), args.seconds)
    print(f"memorised in {steps} steps, {time.monotonic() - start:.1f}s", file=sys.stderr)
    print(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
