"""What every model backend shares: preparing sentences, fitting them to the model,
guarding against degenerate output, and putting the pieces back together.

A backend (transformers, CTranslate2) only says how many tokens a text has and how to
generate English for a list of prepared texts; everything users rely on — Simplified
input, no truncation, one retry for loops and empty output, suspect flags — lives here
once.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable, Sequence

from .base import Translation, Translator
from .guard import degeneracy
from .prepare import join_pieces, prepare_source, split_clauses, split_to_fit

RETRY_OPTIONS = {"repetition_penalty": 1.3, "no_repeat_ngram_size": 3}


class ModelTranslator(Translator):
    limit: int = 512  # longest input in tokens the model accepts
    max_length: int = 512  # longest output in tokens
    beams: int = 4
    max_batch_tokens: int = 4096  # tokens per batch, every beam counted
    fixed_output_tokens: Callable[[int], int] | None = None  # benchmarks: random weights never stop
    guard: bool = True  # benchmarks turn it off: random weights are all "degenerate"

    def __init__(self):
        self.model_calls = 0  # generate calls, for tests and benchmarks
        self.retried: set[str] = set()  # prepared pieces whose first output was degenerate

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens of a prepared text as the model sees it (end-of-sentence included)."""

    @abstractmethod
    def _generate_batch(self, texts: list[str], min_new: int | None, max_new: int, **options) -> list[str]:
        """English for one batch of prepared texts, in order."""

    def new_tokens_for(self, longest: int) -> tuple[int | None, int]:
        """(min, max) new tokens for a batch whose longest input has `longest` tokens."""
        if self.fixed_output_tokens:
            n = self.fixed_output_tokens(longest)
            return n, n
        # room for English to run ~3 tokens per Chinese token, never past the model limit
        return None, min(self.max_length, math.ceil(longest * 3) + 10)

    def translate_detailed(self, sentences: Sequence[str]) -> list[Translation]:
        prepared = [prepare_source(s) for s in sentences]
        # Each sentence becomes one or more pieces that fit the model (room for </s>).
        pieces_of = [split_to_fit(p, self.count_tokens, self.limit - 2) if p else [] for p in prepared]
        unique = list(dict.fromkeys(piece for pieces in pieces_of for piece in pieces))
        english = dict(zip(unique, self._generate(unique)))
        retry = [p for p in unique if degeneracy(p, english[p])] if self.guard else []
        self.retried.update(retry)
        if retry:
            again = dict(zip(retry, self._generate(retry, **RETRY_OPTIONS)))
            for piece in retry:
                out = again[piece]
                if degeneracy(piece, out):
                    out = self._by_clauses(piece) or out
                english[piece] = out
        reason = {p: degeneracy(p, english[p]) if self.guard else None for p in unique}
        out = []
        for source, pieces in zip(sentences, pieces_of):
            if not pieces:
                out.append(Translation(source, ""))
                continue
            reasons = [reason[p] for p in pieces if reason[p]]
            text = join_pieces([english[p] for p in pieces])
            out.append(Translation(source, text, bool(reasons), reasons[0] if reasons else None))
        return out

    def _by_clauses(self, piece: str) -> str | None:
        clauses = [c for c in split_clauses(piece) if c.strip()]
        if len(clauses) < 2:
            return None
        return join_pieces(self._generate(clauses, **RETRY_OPTIONS))

    def _generate(self, texts: list[str], **options) -> list[str]:
        from .batching import token_batches

        if not texts:
            return []
        lengths = [self.count_tokens(t) for t in texts]
        out: list[str] = [""] * len(texts)
        for batch in token_batches(lengths, self.max_batch_tokens // max(1, self.beams)):
            min_new, max_new = self.new_tokens_for(max(lengths[i] for i in batch))
            decoded = self._generate_batch([texts[i] for i in batch], min_new, max_new, **options)
            self.model_calls += 1
            for i, text in zip(batch, decoded):
                out[i] = text.strip()
        return out
