"""What every model backend shares: preparing sentences, fitting them to the model,
guarding against degenerate and cut-off output, and putting the pieces back together.

A backend (transformers, CTranslate2) only says how many tokens a text has and how to
generate English for a list of prepared texts, and whether each output stopped at the
token cap rather than at its end-of-sentence token; everything users rely on —
Simplified input, no truncation, one retry for loops and empty output, suspect flags —
lives here once.

Thread safety: one translator is shared by every request of a server. Tokenizers
backed by Rust (`tokenizers`) raise "Already borrowed" when two threads use one
instance, and generation on a CPU is already parallel inside each call, so a translator
serves one call at a time (`self._lock`); the counters are only touched under it.
"""

from __future__ import annotations

import logging
import math
import threading
from abc import abstractmethod
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .base import Request, Translation, Translator, as_request, sentence_of
from .device import is_out_of_memory, release_device_memory
from .guard import degeneracy
from .prepare import halve, join_pieces, prepare_source, split_clauses, split_to_fit

RETRY_OPTIONS = {"repetition_penalty": 1.3, "no_repeat_ngram_size": 3}
GPU_CALL_SIZE = 512  # sentences per call a GPU translator asks for (a whole brief, usually)
# Warm-up: source lengths in tokens, and new tokens generated for each (issue 21: a cold GPU
# took 17.8 s for what it then did in 2.9 s, each new batch shape paying its first-use cost).
WARM_LENGTHS = (8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 510)
WARM_NEW_TOKENS = 32
_FILLER = "中国坚持走和平发展道路，同世界各国一道推动构建人类命运共同体。"
CUT_OFF = "cut off"  # the reason given when English still ends at the token cap
# Tokens per batch, every beam counted. On a 2-core CPU the gain from batching grows up to ~30
# sentences of ~30 tokens at beam 4 and stops there (measured, docs/performance.md); a GPU's
# matrix units stay busy only with far larger batches, bounded by its memory, and a batch that
# does not fit is halved (`_generate`), so the GPU figure may be generous.
CPU_BATCH_TOKENS = 4096
GPU_BATCH_TOKENS = 65536


def batch_tokens(on_gpu: bool) -> int:
    """The token budget of one batch on this kind of device (every backend's default)."""
    return GPU_BATCH_TOKENS if on_gpu else CPU_BATCH_TOKENS
MAX_HALVINGS = 3  # a cut-off piece is split in two at most this many times (≤ 8 pieces)
OUT_OF_MEMORY = "out of memory even alone: no English"  # the reason a sentence is given up
log = logging.getLogger("qabrief.translate")


@dataclass(frozen=True)
class Output:
    """One generated English text; `cut` when generation stopped at the token cap."""

    text: str
    cut: bool = False
    halves_reason: str | None = None  # for English joined from halves: theirs, not the joined text's
    from_halves: bool = False
    failed: str | None = None  # no English, and why (a sentence that ran out of memory even alone)


class ModelTranslator(Translator):
    limit: int = 512  # longest input in tokens the model accepts
    max_length: int = 512  # longest output in tokens
    beams: int = 4
    max_batch_tokens: int = CPU_BATCH_TOKENS  # tokens per batch, every beam counted
    max_batch_sentences: int = 64
    fixed_output_tokens: Callable[[int], int] | None = None  # benchmarks: random weights never stop
    guard: bool = True  # benchmarks turn it off: random weights are all "degenerate"

    def __init__(self):
        self._lock = threading.Lock()
        self.model_calls = 0  # generate calls, for tests and benchmarks
        # The last prepared pieces whose first output was degenerate (bounded: a server runs for months).
        self.recent_retries: deque[str] = deque(maxlen=256)

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens of a prepared text as the model sees it (end-of-sentence included)."""

    @abstractmethod
    def _generate_batch(self, texts: list[str], min_new: int | None, max_new: int, **options) -> list[Output]:
        """English for one batch of prepared texts, in order, each saying whether it hit `max_new`."""

    def new_tokens_for(self, longest: int) -> tuple[int | None, int]:
        """(min, max) new tokens for a batch whose longest input has `longest` tokens."""
        if self.fixed_output_tokens:
            n = self.fixed_output_tokens(longest)
            return n, n
        # room for English to run ~3 tokens per Chinese token, never past the model limit
        return None, min(self.max_length, math.ceil(longest * 3) + 10)

    @property
    def device(self) -> str:
        return self.choice.device

    def serve_as(self, max_batch_tokens: int | None, fixed_output_tokens, guard: bool) -> None:
        """What every backend sets once its model is loaded (`self.choice` chosen): the batch budget of
        its kind of device (`batch_tokens`), a GPU asking for a whole brief per call (`GPU_CALL_SIZE`),
        and the benchmarks' switches (forced output lengths, the guard off)."""
        self.max_batch_tokens = max_batch_tokens or batch_tokens(self.on_gpu)
        self.fixed_output_tokens, self.guard = fixed_output_tokens, guard
        if self.on_gpu:
            self.call_size = GPU_CALL_SIZE

    def describe_model(self, spec, family: str) -> None:
        """The family and licence the brief names (a preset's; a local folder's family only)."""
        self.model_family = spec.architecture if spec else family
        if spec:
            self.licence = f"{spec.license} ({spec.restriction})" if spec.restriction else spec.license

    @property
    def on_gpu(self) -> bool:
        return self.choice.device.startswith("cuda")

    def translate_detailed(self, sentences: Sequence[str | Request]) -> list[Translation]:
        with self._lock:
            return self._translate([as_request(s) for s in sentences])

    def warm_shapes(self) -> list[tuple[int, int]]:
        """(source tokens, sentences) of the batches warm-up runs: for each length bucket up to
        the model's limit, one sentence alone and the fullest batch the token budget allows."""
        shapes = []
        for length in (n for n in WARM_LENGTHS if n <= self.limit - 2):
            full = max(1, min(self.max_batch_sentences, self.max_batch_tokens // max(1, self.beams) // length))
            shapes += [(length, size) for size in sorted({1, full})]
        return shapes

    def warm_up(self) -> int:
        """Run the model over the batch shapes the batcher makes, so that the first request pays
        none of a GPU's first-use costs (kernels loaded, cuBLAS heuristics chosen per shape).
        Returns the number of batches run; the call counter is left as it was."""
        with self._lock:
            texts = {length: self._text_of_length(length) for length, _ in self.warm_shapes()}
            new = min(WARM_NEW_TOKENS, self.max_length)
            jobs = [([texts[length]] * size, new, new) for length, size in self.warm_shapes()]
            self._generate_batches(jobs)
            return len(jobs)

    def _text_of_length(self, tokens: int) -> str:
        """A Chinese text of about `tokens` tokens for this model's tokenizer."""
        text = _FILLER
        while self.count_tokens(text) < tokens:
            text += _FILLER
        low, high = 1, len(text)  # the shortest prefix with at least `tokens` tokens
        while low < high:
            mid = (low + high) // 2
            low, high = (mid + 1, high) if self.count_tokens(text[:mid]) < tokens else (low, mid)
        return text[:low]

    def _translate(self, requests: list[Request]) -> list[Translation]:
        pieces_of = [self.pieces(r) for r in requests]
        unique = list(dict.fromkeys(piece for pieces in pieces_of for piece in pieces))
        english, reason = self._translate_pieces(unique, halvings=0)
        out = []
        for request, pieces in zip(requests, pieces_of):
            source = request.sentence
            if not pieces:
                out.append(Translation(source, ""))
                continue
            reasons = [reason[p] for p in pieces if reason[p]]
            text = join_pieces([english[p] for p in pieces])
            out.append(Translation(source, text, bool(reasons), reasons[0] if reasons else None))
        return out

    # How a piece is judged and divided; a backend whose pieces carry more than the text to
    # translate (a causal LM's context and terms: its pieces are Requests) says how to see only that text.
    def pieces(self, request: Request) -> list:
        """The sentence prepared and split into pieces that fit the model (room for </s>); [] if empty.
        An encoder–decoder model reads the sentence alone (its terms are masked by the glossary enforcer)."""
        prepared = prepare_source(request.sentence)
        return split_to_fit(prepared, self.count_tokens, self.limit - 2) if prepared else []

    def degeneracy(self, piece: str, english: str) -> str | None:
        return degeneracy(piece, english)

    def halve(self, piece: str) -> list[str] | None:
        return halve(piece)

    def clauses(self, piece: str) -> list[str]:
        return split_clauses(piece)

    def _translate_pieces(self, pieces: list[str], halvings: int) -> tuple[dict[str, str], dict[str, str | None]]:
        """English and the reason it is suspect (or None) for each piece."""
        first = dict(zip(pieces, self._generate(pieces)))
        retry = [p for p in pieces if self.degeneracy(p, first[p].text)] if self.guard else []
        self.recent_retries.extend(retry)
        if retry:
            first.update(zip(retry, self._generate(retry, **RETRY_OPTIONS)))
            for piece in retry:
                if self.degeneracy(piece, first[piece].text):
                    first[piece] = self._by_clauses(piece) or first[piece]
        cut = {p: first[p] for p in pieces if first[p].cut}
        if cut and not self.fixed_output_tokens:
            first.update(self._uncut(cut, halvings))
        english = {p: first[p].text for p in pieces}
        reason = {p: self._reason(p, first[p]) for p in pieces}
        return english, reason

    def _reason(self, piece: str, output: Output) -> str | None:
        if output.failed:
            return output.failed
        if self.fixed_output_tokens:  # benchmarks: forced lengths are neither degenerate nor cut
            return None
        if output.from_halves:  # joined halves can look repetitive ("Thank you Thank you") without being so
            return output.halves_reason
        problem = self.degeneracy(piece, output.text) if self.guard else None
        if output.cut and problem != "repetition":  # a loop says more; "too short" is the cut's doing
            return CUT_OFF
        return problem

    def _uncut(self, outputs: dict[str, Output], halvings: int) -> dict[str, Output]:
        """Outputs that stopped at the token cap: again with the model's full cap, else in halves."""
        results = dict(outputs)
        wider = [p for p in outputs if self.new_tokens_for(self.count_tokens(p))[1] < self.max_length]
        results.update(zip(wider, self._generate(wider, max_new=self.max_length)))
        for piece, output in results.items():
            halves = self.halve(piece) if output.cut and halvings < MAX_HALVINGS else None
            if halves:
                english, reason = self._translate_pieces(halves, halvings + 1)
                text = join_pieces([english[h] for h in halves])
                reasons = [reason[h] for h in halves if reason[h]]
                cut = CUT_OFF in reasons
                results[piece] = Output(text, cut, CUT_OFF if cut else (reasons[0] if reasons else None), True)
        return results

    def _by_clauses(self, piece: str) -> Output | None:
        clauses = [c for c in self.clauses(piece) if sentence_of(c).strip()]
        if len(clauses) < 2:
            return None
        outputs = self._generate(clauses, **RETRY_OPTIONS)
        return Output(join_pieces([o.text for o in outputs]), cut=any(o.cut for o in outputs))

    def _generate(self, texts: list[str], max_new: int | None = None, **options) -> list[Output]:
        from .batching import token_batches

        if not texts:
            return []
        lengths = [self.count_tokens(t) for t in texts]
        out: list[Output] = [Output("")] * len(texts)
        batches = token_batches(lengths, self.max_batch_tokens // max(1, self.beams), self.max_batch_sentences)
        jobs = []
        for batch in batches:
            min_new, cap = self.new_tokens_for(max(lengths[i] for i in batch))
            jobs.append(([texts[i] for i in batch], min_new, max_new or cap))
        for batch, decoded in zip(batches, self._generate_fitting(jobs, **options)):
            self.model_calls += 1
            for i, result in zip(batch, decoded):
                out[i] = Output(result.text.strip(), result.cut, failed=result.failed)
        return out

    def _generate_fitting(self, jobs: list[tuple[list[str], int | None, int]], **options) -> list[list[Output]]:
        """`_generate_batches`, and where the device runs out of memory, each batch again, halved
        until it fits: down to one sentence, which alone is given up (its reason says so)."""
        try:
            return self._generate_batches(jobs, **options)
        except Exception as exc:
            if not is_out_of_memory(exc):
                raise
            log.warning("%s: out of memory on %d batch(es); retrying with smaller batches", self.description,
                        len(jobs))
        release_device_memory()
        return [self._halving(texts, min_new, max_new, **options) for texts, min_new, max_new in jobs]

    def _halving(self, texts: list[str], min_new: int | None, max_new: int, **options) -> list[Output]:
        try:
            return self._generate_batch(texts, min_new, max_new, **options)
        except Exception as exc:
            if not is_out_of_memory(exc):
                raise
        release_device_memory()
        if len(texts) == 1:
            log.warning("%s: out of memory on one sentence alone: it gets no English", self.description)
            return [Output("", failed=OUT_OF_MEMORY)]
        half = len(texts) // 2
        log.warning("%s: out of memory on %d sentences: halving", self.description, len(texts))
        return (self._halving(texts[:half], min_new, max_new, **options)
                + self._halving(texts[half:], min_new, max_new, **options))

    def _generate_batches(self, jobs: list[tuple[list[str], int | None, int]], **options) -> list[list[Output]]:
        """Each (texts, min new, max new) batch generated; a backend that can run batches in
        parallel overrides this."""
        return [self._generate_batch(texts, min_new, max_new, **options) for texts, min_new, max_new in jobs]
