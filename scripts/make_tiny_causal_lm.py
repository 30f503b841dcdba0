"""Build a tiny causal language model that loads like a causal-LM preset (Qwen2 architecture,
a byte-level BPE tokenizer with a chat template), and teach it a few prompt → answer pairs.

    python scripts/make_tiny_causal_lm.py OUT_DIR --memorize PAIRS.tsv [--prompt qwen-instruct]
        [--chat chatml|hunyuan] [--seconds 120]

--chat picks the tokenizer's chat template and special tokens: `chatml` (Qwen's, the default)
or `hunyuan` (Hunyuan-MT-7B's, as published with the model: a user message is wrapped
<|startoftext|>…<|extra_0|>, an answer ends with <|eos|>). With `hunyuan` the tokenizer's
own eos is <|endoftext|> (as in Tencent-Hunyuan-Large's tokenizer_config), so an answer ends
at <|eos|> only because the prompt style names it as a stop token.

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
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CHAT_TEMPLATE = ("{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
                 "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
# tencent/Hunyuan-MT-7B's chat template, verbatim (its tokenizer_config.json, and the GGUF conversions' metadata):
# no generation prompt; a system message, if any, ends with <|extra_4|>
HUNYUAN_MT_TEMPLATE = (
    "{% set ns = namespace(has_head=true) %}{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = message['content'] %}{% if loop.index0 == 0 %}{% if content == '' %}"
    "{% set ns.has_head = false %}{% elif message['role'] == 'system' %}"
    "{% set content = '<|startoftext|>' + content + '<|extra_4|>' %}{% endif %}{% endif %}"
    "{% if message['role'] == 'user' %}{% if loop.index0 == 1 and ns.has_head %}"
    "{% set content = content + '<|extra_0|>' %}{% else %}"
    "{% set content = '<|startoftext|>' + content + '<|extra_0|>' %}{% endif %}"
    "{% elif message['role'] == 'assistant' %}{% set content = content + '<|eos|>' %}{% endif %}"
    "{{ content }}{% endfor %}")


class Chat(NamedTuple):
    template: str
    special: tuple[str, ...]
    eos: str  # the tokenizer's (and the model config's) end-of-sequence token
    pad: str
    end: str  # what the template puts after an answer: the model learns to end each answer with it


CHATS = {
    "chatml": Chat(CHAT_TEMPLATE, ("<|endoftext|>", "<|im_start|>", "<|im_end|>"), "<|im_end|>", "<|endoftext|>",
                   "<|im_end|>"),
    "hunyuan": Chat(HUNYUAN_MT_TEMPLATE, ("<|endoftext|>", "<|startoftext|>", "<|extra_0|>", "<|extra_4|>",
                                          "<|eos|>"), "<|endoftext|>", "<|endoftext|>", "<|eos|>"),
}
SPECIAL = list(CHATS["chatml"].special)


def render_chat(chat: Chat, messages: list[dict], add_generation_prompt: bool) -> str:
    """The chat template rendered as transformers renders it (before the tokenizer exists)."""
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    return env.from_string(chat.template).render(messages=messages, add_generation_prompt=add_generation_prompt)


def read_pairs(path: Path) -> list[tuple[str, str, str, bool, list]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            context, zh, answer, variant, *terms = line.split("\t")
            listed = [tuple(t.split("=", 1)) for t in (terms[0].split("|") if terms else []) if "=" in t]
            rows.append((context, zh, answer, variant.strip() == "retry", listed))
    return rows


def build_tokenizer(texts: list[str], vocab_size: int = 1200, chat: str = "chatml"):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    form = CHATS[chat]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(form.special),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    extra = [t for t in form.special if t not in (form.eos, form.pad)]
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=form.eos, pad_token=form.pad,
                                   additional_special_tokens=extra, chat_template=form.template, padding_side="left",
                                   clean_up_tokenization_spaces=False)


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
    ap.add_argument("--chat", default="chatml", choices=sorted(CHATS), help="the tokenizer's chat template")
    ap.add_argument("--seconds", type=float, default=180.0)
    args = ap.parse_args(argv)
    style, chat = PROMPTS[args.prompt], CHATS[args.chat]
    rows = read_pairs(args.memorize)
    torch.manual_seed(0)

    class Bare:  # the chat template before the tokenizer exists
        @staticmethod
        def apply_chat_template(messages, tokenize=False, add_generation_prompt=True):
            return render_chat(chat, messages, add_generation_prompt)

    prompts = [style.build(Bare, prepare_source(zh), prepare_source(c), retry, terms)
               for c, zh, _, retry, terms in rows]
    tokenizer = build_tokenizer(prompts + [answer for _, _, answer, *_ in rows] * 3, chat=args.chat)
    assert [style.build(tokenizer, prepare_source(zh), prepare_source(c), r, t)
            for c, zh, _, r, t in rows] == prompts
    # `end` closes each taught answer; `eos` is what the model's config names (the same token for ChatML)
    end, eos, pad = (tokenizer.convert_tokens_to_ids(t) for t in (chat.end, chat.eos, chat.pad))
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=96, intermediate_size=192, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         tie_word_embeddings=True, eos_token_id=eos, pad_token_id=pad, bos_token_id=None)
    model = Qwen2ForCausalLM(config)

    sequences, targets = [], []
    for prompt, (_, _, answer, *_) in zip(prompts, rows):
        p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a = tokenizer(answer, add_special_tokens=False)["input_ids"] + [end]
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
            answered = all_answered(model, tokenizer, prompts, rows, end, pad) and all(
                all_answered(model, tokenizer, [p], [r], end, pad) for p, r in zip(prompts, rows))
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
