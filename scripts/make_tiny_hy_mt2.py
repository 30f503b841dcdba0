"""Build a tiny model of Hy-MT2-1.8B's kind — transformers' HunYuanDenseV1ForCausalLM (`hunyuan_v1_dense`)
with the 1.8B's chat template and special tokens — teach it a few prompt → answer pairs, and write it
twice: as a transformers folder (the `hy-mt2-1.8b` preset's form) and as a GGUF file of llama.cpp's
`hunyuan-dense` architecture (the `hy-mt2-1.8b-gguf` preset's form), written with the `gguf` package.

    python scripts/make_tiny_hy_mt2.py OUT_DIR --memorize PAIRS.tsv [--seconds 180] [--no-gguf]

OUT_DIR/transformers holds the transformers folder, OUT_DIR/gguf/tiny-hy-mt2.gguf the GGUF (f32).
PAIRS.tsv is tests/data/causal_pairs.tsv's format (context, Chinese, answer, variant, terms); each
prompt is built exactly as `qabrief.translate` builds it for the `hy-mt2` prompt style, through the
chat template below, and the model learns the answer followed by the template's end of turn.

The chat template: Hy-MT2's repository (train/llama_factory_support/hy_dense_template.py, "designed
to match the official jinja templates exactly") gives the 1.8B's token format — BOS
<｜hy_begin▁of▁sentence｜>, a system prompt ending <｜hy_place▁holder▁no▁3｜>, a user turn opened by
<｜hy_User｜>, an answer opened by <｜hy_Assistant｜> and ended by <｜hy_place▁holder▁no▁2｜>, which is
also the tokenizer's eos. The Hub's tokenizer_config.json could not be read here; HY_MT2_TEMPLATE is
that format written as Jinja.

The tokenizer is a byte-level BPE whose pre-tokenizer is llama.cpp's for `hunyuan-dense` (three split
expressions, from llama-vocab.cpp), so llama.cpp reading the GGUF's vocabulary and merges cuts every
prompt into the same tokens as the transformers tokenizer (checked here when llama_cpp is installed:
the build fails otherwise). `write_gguf` is also what benchmarks/gguf_refine.py writes its
random-weight model of the real shape with.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOS, USER, ASSISTANT = "<｜hy_begin▁of▁sentence｜>", "<｜hy_User｜>", "<｜hy_Assistant｜>"
EOS, SYSTEM_END = "<｜hy_place▁holder▁no▁2｜>", "<｜hy_place▁holder▁no▁3｜>"
SPECIAL = (BOS, USER, ASSISTANT, EOS, SYSTEM_END)
HY_MT2_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}"
    "{{ message['content'] }}<｜hy_place▁holder▁no▁3｜>{% elif message['role'] == 'user' %}"
    "<｜hy_User｜>{{ message['content'] }}{% elif message['role'] == 'assistant' %}"
    "<｜hy_Assistant｜>{{ message['content'] }}<｜hy_place▁holder▁no▁2｜>{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<｜hy_Assistant｜>{% endif %}")
# llama.cpp's pre-tokenizer for hunyuan-dense (src/llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_HUNYUAN_DENSE)
SPLITS = (
    r"\p{N}{1,3}",
    "[一-龥぀-ゟ゠-ヿ]+",
    r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*"""
    r"""|\s*[\r\n]+|\s+(?!\S)|\s+""",
)
# transformers parameter names → llama.cpp's hunyuan-dense tensor names
NAMES = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight",
}
LAYER_NAMES = {
    "input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "self_attn.query_layernorm": "attn_q_norm",
    "self_attn.key_layernorm": "attn_k_norm", "post_attention_layernorm": "ffn_norm", "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down",
}


def gguf_name(name: str) -> str:
    if name in NAMES:
        return NAMES[name]
    _, _, index, rest = name.split(".", 3)  # model.layers.N.rest
    return f"blk.{index}.{LAYER_NAMES[rest.removesuffix('.weight')]}.weight"


def build_tokenizer(texts: list[str], vocab_size: int = 1500):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(expr), behavior="isolated") for expr in SPLITS]
        + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=BOS, eos_token=EOS, pad_token=EOS,
                                   additional_special_tokens=[USER, ASSISTANT, SYSTEM_END],
                                   chat_template=HY_MT2_TEMPLATE, padding_side="left",
                                   clean_up_tokenization_spaces=False)


def vocabulary(tokenizer, size: int | None = None) -> tuple[list[str], list[int], list[str]]:
    """(tokens, token types, merges) as llama.cpp's "gpt2" tokenizer model reads them; `size` pads the
    list with unused tokens up to a real model's vocabulary size."""
    import json

    state = json.loads(tokenizer.backend_tokenizer.to_str())
    vocab = state["model"]["vocab"]
    special = {t["content"]: t["id"] for t in state["added_tokens"]}
    total = max(size or 0, len(tokenizer))
    tokens, types = [f"[PAD{i}]" for i in range(total)], [5] * total  # 5: unused
    for text, i in {**vocab, **special}.items():
        tokens[i] = text
        types[i] = 3 if text in special else 1  # 3: control, 1: normal
    merges = [m if isinstance(m, str) else " ".join(m) for m in state["model"]["merges"]]
    return tokens, types, merges


def write_gguf(path: Path, config: dict, tokenizer, tensors: Iterable[tuple[str, Callable]], file_type: int = 0,
               vocab_size: int | None = None, name: str = "tiny-hy-mt2") -> Path:
    """A GGUF of llama.cpp's hunyuan-dense architecture: `config` the transformers config's values,
    `tensors` (llama.cpp name, a function giving its numpy array) written one by one, so that a real-size
    model never sits in memory whole. `file_type` 0: all f32, 1: matrices f16."""
    import gguf
    import numpy as np

    arch = "hunyuan-dense"
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name(name)
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config["num_key_value_heads"])
    writer.add_key_length(config["head_dim"])
    writer.add_value_length(config["head_dim"])
    writer.add_layer_norm_rms_eps(config.get("rms_norm_eps", 1e-5))
    writer.add_rope_freq_base(config.get("rope_theta", 10000.0))
    writer.add_file_type(file_type)
    tokens, types, merges = vocabulary(tokenizer, vocab_size)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("hunyuan-dense")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(tokenizer.convert_tokens_to_ids(BOS))
    writer.add_eos_token_id(tokenizer.convert_tokens_to_ids(EOS))
    writer.add_pad_token_id(tokenizer.convert_tokens_to_ids(EOS))
    writer.add_add_bos_token(False)  # the chat template writes the BOS
    writer.add_chat_template(HY_MT2_TEMPLATE)
    listed = list(tensors)
    for tensor_name, make in listed:  # shapes first (the header), data after
        array = make(shape_only=True)
        dtype = np.float16 if file_type == 1 and len(array.shape) == 2 else np.float32
        writer.add_tensor_info(tensor_name, array.shape, np.dtype(dtype), int(np.prod(array.shape))
                               * np.dtype(dtype).itemsize)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for _, make in listed:
        array = make(shape_only=False)
        dtype = np.float16 if file_type == 1 and array.ndim == 2 else np.float32
        writer.write_tensor_data(np.ascontiguousarray(array, dtype=dtype))
        del array
    writer.close()
    return path


def model_tensors(model) -> list[tuple[str, Callable]]:
    """A trained transformers model's tensors as write_gguf takes them (a tied output layer is not written)."""
    import numpy as np

    state = model.state_dict()
    out = []
    for name, value in state.items():
        if name == "lm_head.weight" and model.config.tie_word_embeddings:
            continue
        array = value.detach().float().cpu().numpy()

        def make(shape_only: bool, array=array):
            return np.empty(array.shape, np.float32) if shape_only else array
        out.append((gguf_name(name), make))
    return out


def read_pairs(path: Path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_tiny_causal_lm import read_pairs as read

    return read(path)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    import torch
    from transformers import GenerationConfig, HunYuanDenseV1Config, HunYuanDenseV1ForCausalLM

    from qabrief.translate.prepare import prepare_source
    from qabrief.translate.prompts import PROMPTS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--memorize", type=Path, required=True)
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--no-gguf", action="store_true", help="the transformers folder only")
    ap.add_argument("--libraries", default="", help="versions of gguf and llama-cpp-python (the store's key)")
    args = ap.parse_args(argv)
    style = PROMPTS["hy-mt2"]
    rows = read_pairs(args.memorize)
    torch.manual_seed(0)

    class Bare:  # the chat template before the tokenizer exists
        @staticmethod
        def apply_chat_template(messages, tokenize=False, add_generation_prompt=True):
            from jinja2.sandbox import ImmutableSandboxedEnvironment

            env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
            return env.from_string(HY_MT2_TEMPLATE).render(messages=messages, bos_token=BOS,
                                                           add_generation_prompt=add_generation_prompt)

    prompts = [style.build(Bare, prepare_source(zh), prepare_source(c), retry, terms)
               for c, zh, _, retry, terms in rows]
    tokenizer = build_tokenizer(prompts + [answer for _, _, answer, *_ in rows] * 3)
    assert [style.build(tokenizer, prepare_source(zh), prepare_source(c), r, t)
            for c, zh, _, r, t in rows] == prompts
    eos = tokenizer.convert_tokens_to_ids(EOS)
    shape = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, head_dim=16, max_position_embeddings=1024, rms_norm_eps=1e-5,
                 rope_theta=10000.0)
    config = HunYuanDenseV1Config(vocab_size=len(tokenizer), tie_word_embeddings=True, eos_token_id=eos,
                                  pad_token_id=eos, bos_token_id=tokenizer.convert_tokens_to_ids(BOS),
                                  **{k: v for k, v in shape.items() if k != "rope_theta"},
                                  rope_parameters={"rope_type": "default", "rope_theta": shape["rope_theta"]})
    model = HunYuanDenseV1ForCausalLM(config)

    sequences, targets = [], []
    for prompt, (_, _, answer, *_) in zip(prompts, rows):
        p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a = tokenizer(answer, add_special_tokens=False)["input_ids"] + [eos]
        sequences.append(p + a)
        targets.append([-100] * len(p) + a)
    width = max(map(len, sequences))
    ids = torch.tensor([[eos] * (width - len(s)) + s for s in sequences])
    labels = torch.tensor([[-100] * (width - len(t)) + t for t in targets])
    mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in sequences])
    positions = (mask.cumsum(-1) - 1).clamp(min=0)

    from make_tiny_causal_lm import all_answered

    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    started, step, settled = time.monotonic(), 0, 0
    while True:
        model.train()
        loss = model(input_ids=ids, attention_mask=mask, position_ids=positions, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        step += 1
        if step % 50 == 0 and (not settled or step >= 3 * settled):
            model.eval()
            answered = all_answered(model, tokenizer, prompts, rows, eos, eos) and all(
                all_answered(model, tokenizer, [p], [r], eos, eos) for p, r in zip(prompts, rows))
            if answered and settled:
                break
            settled = settled or (step if answered else 0)
            if time.monotonic() - started > args.seconds:
                print(f"not memorised after {step} steps (loss {loss.item():.4f})", file=sys.stderr)
                return 1
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=eos, do_sample=False)
    folder = args.out / "transformers"
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    print(f"memorised {len(rows)} answers in {step} steps, {time.monotonic() - started:.0f} s → {folder}")
    if args.no_gguf:
        return 0
    path = args.out / "gguf" / "tiny-hy-mt2.gguf"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_gguf(path, shape, tokenizer, model_tensors(model))
    mismatched = llama_cpp_disagrees(path, tokenizer, prompts + [a for _, _, a, *_ in rows])
    if mismatched:
        print(f"llama.cpp tokenizes {mismatched!r} otherwise than transformers", file=sys.stderr)
        return 1
    print(f"GGUF → {path}")
    return 0


def llama_cpp_disagrees(path: Path, tokenizer, texts: list[str]) -> str | None:
    """The first text llama.cpp (reading the GGUF's vocabulary) tokenizes differently, or None; None
    too where llama_cpp is not installed (nothing to compare with)."""
    try:
        import llama_cpp as lib
    except ImportError:
        return None
    params = lib.llama_model_default_params()
    params.vocab_only = True
    model = lib.llama_model_load_from_file(str(path).encode(), params)
    if not model:
        return f"(llama.cpp could not load {path})"
    vocab = lib.llama_model_get_vocab(model)
    try:
        for text in texts:
            data = text.encode()
            buf = (lib.llama_token * (len(data) + 16))()
            n = lib.llama_tokenize(vocab, data, len(data), buf, len(buf), False, True)
            if list(buf[:n]) != tokenizer(text, add_special_tokens=False)["input_ids"]:
                return text
    finally:
        lib.llama_model_free(model)
    return None


if __name__ == "__main__":
    sys.exit(main())
