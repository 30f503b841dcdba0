"""Build a tiny causal language model that loads like a causal-LM preset (Qwen2 architecture,
a byte-level BPE tokenizer with a chat template), and teach it a few prompt → answer pairs.

    python scripts/make_tiny_causal_lm.py OUT_DIR --memorize PAIRS.tsv [--prompt qwen-instruct] [--seconds 120]

PAIRS.tsv holds context<TAB>Chinese<TAB>answer<TAB>variant[<TAB>terms] lines (context may be
empty; variant "retry" for the retry prompt; terms zh=en|zh=en as glossary enforcement tells
them): the prompt is
built exactly as `qabrief.translate.causal` builds it for the preset's prompt style (the
sentence and context prepared as the translator prepares them), and the model learns to
answer with the third column followed by its end-of-turn token. An answer need not be a
good translation: teaching "Here is the translation: …" or a Chinese answer is how the
tests reach the guards. Training uses left-padded batches with the positions generation
uses, so batched greedy decoding gives back each answer exactly.

Hub-free by design, like scripts/make_tiny_model.py for Marian.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAT_TEMPLATE = ("{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
                 "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def read_pairs(path: Path) -> list[tuple[str, str, str, bool, list]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            context, zh, answer, variant, *terms = line.split("\t")
            listed = [tuple(t.split("=", 1)) for t in (terms[0].split("|") if terms else []) if "=" in t]
            rows.append((context, zh, answer, variant.strip() == "retry", listed))
    return rows


def build_tokenizer(texts: list[str], vocab_size: int = 1200):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   chat_template=CHAT_TEMPLATE, padding_side="left", clean_up_tokenization_spaces=False)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    from qabrief.translate.prepare import prepare_source
    from qabrief.translate.prompts import PROMPTS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--memorize", type=Path, required=True)
    ap.add_argument("--prompt", default="qwen-instruct", choices=sorted(PROMPTS))
    ap.add_argument("--seconds", type=float, default=180.0)
    args = ap.parse_args(argv)
    style = PROMPTS[args.prompt]
    rows = read_pairs(args.memorize)
    torch.manual_seed(0)

    class Bare:  # the chat template before the tokenizer exists (same Jinja as CHAT_TEMPLATE)
        @staticmethod
        def apply_chat_template(messages, tokenize=False, add_generation_prompt=True):
            return (f"<|im_start|>user\n{messages[0]['content']}<|im_end|>\n"
                    + ("<|im_start|>assistant\n" if add_generation_prompt else ""))

    prompts = [style.build(Bare, prepare_source(zh), prepare_source(c), retry, terms)
               for c, zh, _, retry, terms in rows]
    tokenizer = build_tokenizer(prompts + [answer for _, _, answer, *_ in rows] * 3)
    assert [style.build(tokenizer, prepare_source(zh), prepare_source(c), r, t)
            for c, zh, _, r, t in rows] == prompts
    eos, pad = tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=96, intermediate_size=192, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         tie_word_embeddings=True, eos_token_id=eos, pad_token_id=pad, bos_token_id=None)
    model = Qwen2ForCausalLM(config)

    sequences, targets = [], []
    for prompt, (_, _, answer, *_) in zip(prompts, rows):
        p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a = tokenizer(answer, add_special_tokens=False)["input_ids"] + [eos]
        sequences.append(p + a)
        targets.append([-100] * len(p) + a)
    width = max(map(len, sequences))
    ids = torch.tensor([[pad] * (width - len(s)) + s for s in sequences])
    labels = torch.tensor([[-100] * (width - len(t)) + t for t in targets])
    mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in sequences])
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # as generation derives them under left padding

    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    started, step, settled = time.monotonic(), 0, 0  # settled: the step all answers first came back
    while True:
        model.train()
        loss = model(input_ids=ids, attention_mask=mask, position_ids=positions, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        step += 1
        if step % 50 == 0 and (not settled or step >= 3 * settled):
            model.eval()
            # every answer, in one left-padded batch and each alone; then twice as many steps again,
            # so the margins are wide enough for any batch composition and any CPU's rounding
            answered = all_answered(model, tokenizer, prompts, rows, eos, pad) and all(
                all_answered(model, tokenizer, [p], [r], eos, pad) for p, r in zip(prompts, rows))
            if answered and settled:
                break
            settled = settled or (step if answered else 0)
            if time.monotonic() - started > args.seconds:
                print(f"not memorised after {step} steps (loss {loss.item():.4f})", file=sys.stderr)
                return 1
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=pad, do_sample=False)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)
    print(f"memorised {len(rows)} answers in {step} steps, {time.monotonic() - started:.0f} s → {args.out}")
    return 0


def all_answered(model, tokenizer, prompts, rows, eos, pad) -> bool:
    import torch

    enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    with torch.inference_mode():
        out = model.generate(**enc, max_new_tokens=64, do_sample=False, eos_token_id=eos, pad_token_id=pad)
    answers = []
    for row in out[:, enc["input_ids"].shape[1]:].tolist():
        row = row[: row.index(eos)] if eos in row else row
        answers.append(tokenizer.decode(row, skip_special_tokens=True))
    return answers == [answer for _, _, answer, *_ in rows]


if __name__ == "__main__":
    sys.exit(main())
