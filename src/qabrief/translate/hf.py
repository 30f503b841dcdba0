"""The transformers backend: any seq2seq translation model `from_pretrained` can load.

Throughput comes from three things the naive one-sentence-at-a-time loop lacks:
sentences sorted by length and batched by a token budget (little padding, full matrix
multiplies), duplicates translated once, and `torch.inference_mode`. Sentences longer
than the model's limit are split at clause breaks and the English pieces joined, never
truncated. Output that looks degenerate gets one retry with a repetition penalty and a
no-repeat n-gram size, then by clauses; what is still degenerate is marked suspect.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

from ..errors import QabriefError
from .base import Translation, Translator
from .batching import token_batches
from .device import DeviceChoice, choose_device
from .guard import degeneracy
from .prepare import join_pieces, prepare_source, split_clauses, split_to_fit
from .registry import ResolvedModel

log = logging.getLogger(__name__)

RETRY_OPTIONS = {"repetition_penalty": 1.3, "no_repeat_ngram_size": 3}


class HFTranslator(Translator):
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
    ):
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.resolved = resolved
        self.choice: DeviceChoice = choose_device(device)
        source = str(resolved.local_path) if resolved.local_path else resolved.hub_id
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_files_only)
            self.model = AutoModelForSeq2SeqLM.from_pretrained(
                source, local_files_only=local_files_only, dtype=getattr(torch, self.choice.dtype)
            )
        except OSError as exc:
            raise QabriefError(f"cannot load model from {source}: {str(exc).splitlines()[0]}") from None
        self.model.to(self.choice.device).eval()
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
        # Tokens per batch counting every beam. On a 2-core CPU the gain from batching grows up to
        # ~30 sentences of ~30 tokens at beam 4 (measured); a GPU takes far more.
        self.max_batch_tokens = max_batch_tokens or (65536 if self.choice.device.startswith("cuda") else 4096)
        self.fixed_output_tokens = fixed_output_tokens  # benchmarks: random weights never stop by themselves
        self.guard = guard  # benchmarks turn it off: random weights are all "degenerate"
        revision = getattr(self.model.config, "_commit_hash", None) or "local"
        self.cache_key = (f"transformers|{resolved.label}|{revision}|{self.choice.dtype}|beams={self.beams}"
                          f"|max_length={self.max_length}")
        self.description = f"transformers {self.choice.description}, beam {self.beams}"
        self.model_calls = 0  # generate() calls, for tests and benchmarks
        self.retried: set[str] = set()  # prepared pieces whose first output was degenerate

    def _forced_bos(self, tgt_lang: str) -> int:
        if hasattr(self.tokenizer, "get_lang_id"):  # M2M100: "en" → "__en__"
            return self.tokenizer.get_lang_id(tgt_lang)
        return self.tokenizer.convert_tokens_to_ids(tgt_lang)  # NLLB: "eng_Latn"

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def translate_detailed(self, sentences: Sequence[str]) -> list[Translation]:
        prepared = [prepare_source(s) for s in sentences]
        # Each sentence becomes one or more pieces that fit the model (room for </s>).
        pieces_of = [split_to_fit(p, self.count_tokens, self.limit - 2) if p else [] for p in prepared]
        unique = list(dict.fromkeys(piece for pieces in pieces_of for piece in pieces))
        english = dict(zip(unique, self._generate(unique)))
        results: dict[str, tuple[str, str | None]] = {}
        retry = [p for p in unique if degeneracy(p, english[p])] if self.guard else []
        self.retried.update(retry)
        if retry:
            again = dict(zip(retry, self._generate(retry, **RETRY_OPTIONS)))
            for piece in retry:
                out = again[piece]
                if degeneracy(piece, out):
                    out = self._by_clauses(piece) or out
                english[piece] = out
        for piece in unique:
            results[piece] = (english[piece], degeneracy(piece, english[piece]) if self.guard else None)
        out = []
        for source, pieces in zip(sentences, pieces_of):
            if not pieces:
                out.append(Translation(source, ""))
                continue
            text = join_pieces([results[p][0] for p in pieces])
            reasons = [results[p][1] for p in pieces if results[p][1]]
            out.append(Translation(source, text, bool(reasons), reasons[0] if reasons else None))
        return out

    def _by_clauses(self, piece: str) -> str | None:
        clauses = [c for c in split_clauses(piece) if c.strip()]
        if len(clauses) < 2:
            return None
        return join_pieces(self._generate(clauses, **RETRY_OPTIONS))

    def _generate(self, texts: list[str], **options) -> list[str]:
        import torch

        if not texts:
            return []
        lengths = [self.count_tokens(t) for t in texts]
        out: list[str] = [""] * len(texts)
        for batch in token_batches(lengths, self.max_batch_tokens // max(1, self.beams)):
            enc = self.tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True)
            enc = {k: v.to(self.choice.device) for k, v in enc.items()}
            longest = max(lengths[i] for i in batch)
            # max_length=None: the per-batch max_new_tokens below is the only length limit
            kwargs = dict(num_beams=self.beams, do_sample=False, max_length=None, **options)
            if self.fixed_output_tokens:
                n = self.fixed_output_tokens(longest)
                kwargs.update(min_new_tokens=n, max_new_tokens=n)
            else:
                # room for English to run ~3 tokens per Chinese token, never past the model limit
                kwargs["max_new_tokens"] = min(self.max_length, math.ceil(longest * 3) + 10)
            if self.forced_bos is not None:
                kwargs["forced_bos_token_id"] = self.forced_bos
            with torch.inference_mode():
                generated = self.model.generate(**enc, **kwargs)
            self.model_calls += 1
            decoded = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
            for i, text in zip(batch, decoded):
                out[i] = text.strip()
        return out
