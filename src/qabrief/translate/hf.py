"""The transformers backend: any seq2seq translation model `from_pretrained` can load.

Throughput comes from what the naive one-sentence-at-a-time loop lacks: sentences sorted
by length and batched by a token budget in groups of similar length (little padding,
full matrix multiplies), duplicates translated once, and `torch.inference_mode`. The
sentence handling shared with other backends is in `engine.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import QabriefError
from .device import DeviceChoice, choose_device, torch_dtype
from .engine import ModelTranslator, Output
from .fingerprint import folder_fingerprint
from .registry import ResolvedModel


class HFTranslator(ModelTranslator):
    backend = "transformers"

    def __init__(
        self,
        resolved: ResolvedModel,
        device: str = "auto",
        beams: int | None = None,
        max_length: int | None = None,
        max_batch_tokens: int | None = None,
        fixed_output_tokens: Callable[[int], int] | None = None,
        guard: bool = True,
        local_files_only: bool = True,
        precision: str = "auto",
    ):
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        super().__init__()
        self.resolved = resolved
        self.choice: DeviceChoice = choose_device(device, dtype=torch_dtype(precision))
        self.tokenizer, self.model = pretrained(resolved, AutoTokenizer, AutoModelForSeq2SeqLM, self.choice,
                                                local_files_only)
        self.precision = self._quantize(precision)
        spec = resolved.spec
        if spec and spec.src_lang:
            self.tokenizer.src_lang = spec.src_lang
        self.forced_bos = self._forced_bos(spec.tgt_lang) if spec and spec.tgt_lang else None
        gen = self.model.generation_config
        self.beams = beams or gen.num_beams or 1
        limits = [x for x in (getattr(self.model.config, "max_position_embeddings", None),
                              getattr(self.tokenizer, "model_max_length", None)) if x and x < 100_000]
        self.limit = min(limits) if limits else 512
        self.max_length = min(max_length or gen.max_length or self.limit, self.limit)
        self.serve_as(max_batch_tokens, fixed_output_tokens, guard)
        # Every decoding step holds several float32 copies of (sentences × beams × vocabulary)
        # scores: 32 short sentences at beam 4 with opus-mt's 65k words peaked 260 MB above the
        # model. On a CPU 64 rows at most (README: peak memory, speed unchanged).
        if not self.choice.device.startswith("cuda"):
            self.max_batch_sentences = max(1, 64 // max(1, self.beams))
        self.cache_key = (f"transformers|{resolved.label}|{revision(resolved, self.model)}|{self.precision}"
                          f"|beams={self.beams}|max_length={self.max_length}")
        self.description = f"transformers {self.choice.description}, beam {self.beams}"
        if self.precision == "int8":
            self.description = self.description.replace("fp32", "int8 (dynamic)", 1)

    def _quantize(self, precision: str) -> str:
        """`int8`: the linear layers quantized dynamically (weights int8, activations quantized on
        the fly) — an opt-in on CPU: smaller and often faster, not bit-identical to fp32."""
        if precision != "int8":
            return self.choice.dtype
        if self.choice.device != "cpu":
            raise QabriefError("--precision int8 is for the CPU; on a GPU the default is already float16")
        import torch

        self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        return "int8"

    def _forced_bos(self, tgt_lang: str) -> int:
        if hasattr(self.tokenizer, "get_lang_id"):  # M2M100: "en" → "__en__"
            return self.tokenizer.get_lang_id(tgt_lang)
        return self.tokenizer.convert_tokens_to_ids(tgt_lang)  # NLLB: "eng_Latn"

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True, verbose=False)["input_ids"])

    def _generate_batch(self, texts: list[str], min_new: int | None, max_new: int, **options) -> list[Output]:
        import torch

        enc = self.tokenizer(texts, return_tensors="pt", padding=True)
        enc = {k: v.to(self.choice.device) for k, v in enc.items()}
        # max_length=None: max_new_tokens is the only length limit
        kwargs = dict(num_beams=self.beams, do_sample=False, max_length=None, max_new_tokens=max_new, **options)
        if min_new:
            kwargs["min_new_tokens"] = min_new
        if self.forced_bos is not None:
            kwargs["forced_bos_token_id"] = self.forced_bos
        with torch.inference_mode():
            generated = self.model.generate(**enc, **kwargs)
        texts_out = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
        # A row that ran to max_new_tokens was stopped by the cap, whether or not it ends in </s>:
        # Marian's generation config forces </s> as the last token at the cap (forced_eos_token_id).
        eos = self.model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos]) - {None}
        outputs = []
        for text, row in zip(texts_out, generated[:, 1:].tolist()):  # position 0: decoder start
            ends = [i for i, token in enumerate(row) if token in eos_ids]
            produced = ends[0] + 1 if ends else len(row)
            outputs.append(Output(text, cut=produced >= max_new))
        return outputs


def pretrained(resolved: ResolvedModel, tokenizer_class, model_class, choice: DeviceChoice, local_files_only: bool,
               **tokenizer_options):
    """(tokenizer, model) from a folder or the hub in `choice`'s dtype, on its device, in eval mode:
    the one loading step of both transformers backends (seq2seq here, causal LMs in causal.py).
    A missing or unreadable file is the one-line error the loading policy reports."""
    import torch

    source = str(resolved.local_path) if resolved.local_path else resolved.hub_id
    try:
        tokenizer = tokenizer_class.from_pretrained(source, local_files_only=local_files_only, **tokenizer_options)
        model = model_class.from_pretrained(source, local_files_only=local_files_only,
                                            dtype=getattr(torch, choice.dtype))
    except OSError as exc:
        raise QabriefError(f"cannot load model from {source}: {str(exc).splitlines()[0]}") from None
    return tokenizer, model.to(choice.device).eval()


def revision(resolved: ResolvedModel, model) -> str:
    """What the cache keys a transformers model by: a hub download names its revision; a folder is
    known by what it holds (fingerprint.py)."""
    if resolved.local_path:
        return f"content:{folder_fingerprint(resolved.local_path)}"
    return getattr(model.config, "_commit_hash", None) or "unknown"
