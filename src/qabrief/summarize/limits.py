"""What bounds the Chinese stages' work, whatever the document holds.

A 5 MB upload of random sentences once took 12 minutes and 6.5 GB: one turn of 85,000
sentences made an 85,000² similarity matrix, and jieba's part-of-speech tagger spent about
8 ms on each character it had never seen (its HMM tries all 256 tags against all 256).
Every stage is now linear or capped (docs/input.md, "Limits"; tests/test_bounds.py trips
each rule; benchmarks/worst_cases.py feeds the worst inputs found):

- a turn is summarized over its first MAX_TURN_SENTENCES sentences and MAX_TURN_CHARS
  characters; the brief says so when it cuts;
- a brief summarizes at most MAX_BRIEF_SENTENCES sentences in all (later turns are shown,
  not summarized, and the brief says so);
- keywords are extracted from an even sample of a segment's sentences whose estimated
  tagging cost fits KEYWORD_COST_PER_SEGMENT, out of KEYWORD_COST_PER_BRIEF for the brief;
- a `Deadline` (a time budget, a cancellation callback, or both) is checked between turns,
  segments and sentences, and raises `WorkCancelled` with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import QabriefError

# The longest turn of the corpus has 137 sentences and 6,000 characters; a government work
# report read out whole has about 700 sentences and 20,000.
MAX_TURN_SENTENCES = 1000
MAX_TURN_CHARS = 60_000
MAX_BRIEF_SENTENCES = 50_000
# Units of jieba's part-of-speech HMM (one tag pair tried, about 0.4 µs here), as bounded
# by keywords.tagging_cost: the seed transcript (9,000 characters) is 8 million by that bound
# and tagged in 0.3 s (words in the dictionary never reach the HMM); the 200 characters with
# the most tags come close to the bound. So a segment the size of the seed is read whole, and
# the worst text costs the brief ~10 s of tagging.
KEYWORD_COST_PER_SEGMENT = 8_500_000
KEYWORD_COST_PER_BRIEF = 24_000_000


class WorkCancelled(QabriefError):
    """The work was stopped: its time budget ran out or its requester left (the message says which)."""


@dataclass
class Deadline:
    """A time budget and/or a cancellation callback, checked between units of work.

    `seconds`: the budget from now (None: none); `cancelled()`: True when whoever asked has
    gone (a closed page). `check(stage)` raises WorkCancelled naming the stage reached."""

    seconds: float | None = None
    cancelled: Callable[[], bool] | None = None
    started: float = field(default_factory=time.monotonic)

    def expired(self) -> bool:
        return self.seconds is not None and time.monotonic() - self.started > self.seconds

    def check(self, stage: str = "") -> None:
        where = f" during {stage}" if stage else ""
        if self.cancelled is not None and self.cancelled():
            raise WorkCancelled(f"stopped{where}: the request was cancelled")
        if self.expired():
            raise WorkCancelled(f"stopped{where}: over the time budget of {self.seconds:g} s")


def check(deadline: Deadline | None, stage: str = "") -> None:
    if deadline is not None:
        deadline.check(stage)


@dataclass
class KeywordBudget:
    """The tagging cost left for the brief's keywords, shared out segment by segment."""

    left: int = field(default_factory=lambda: KEYWORD_COST_PER_BRIEF)
    per_segment: int = field(default_factory=lambda: KEYWORD_COST_PER_SEGMENT)
    segments_left: int = 1

    def allowance(self) -> int:
        share = self.left // max(1, self.segments_left)
        return max(0, min(self.per_segment, share))

    def spend(self, cost: int) -> None:
        self.left = max(0, self.left - cost)
        self.segments_left = max(0, self.segments_left - 1)


def summarized_prefix(sentences) -> int:
    """How many of a turn's first sentences (texts) are summarized: at most MAX_TURN_SENTENCES,
    and no more than MAX_TURN_CHARS characters (at least one sentence, when there is one)."""
    n, chars = 0, 0
    for s in sentences[:MAX_TURN_SENTENCES]:
        chars += len(s)
        if chars > MAX_TURN_CHARS and n:
            break
        n += 1
    return n


@dataclass(frozen=True)
class CostEstimate:
    """What briefing a text in Chinese should cost here, by stage (seconds), before doing it."""

    stages: dict[str, float]

    @property
    def seconds(self) -> float:
        return sum(self.stages.values())


def estimate_cost(text: str) -> CostEstimate:
    """A cheap forecast (a few passes at C speed over the text, ~0.1 s for 5 MB) of the Chinese
    stages' time, from per-stage rates fitted to the CPU seconds benchmarks/worst_cases.py
    measured on the reference machine (2 cores, one used by a brief); machine translation is
    not included. On the eight worst cases it is within -20 %/+50 % of the time taken."""
    from ..parse.script import han_count
    from .keywords import tagging_cost

    chars = len(text)
    han = han_count(text)
    digits = sum(text.count(d) for d in "0123456789")
    sentences = max(sum(text.count(c) for c in "。！？!?；…\n"), chars // 1000)
    stages = {
        "parse": chars * PARSE_S_PER_CHAR + sentences * PARSE_S_PER_SENTENCE,
        # words and figures: a digit costs jieba's segmenter and the key figures more than a Han character
        "summarize": han * SUMMARY_S_PER_HAN + digits * SUMMARY_S_PER_DIGIT,
        "keywords": min(tagging_cost(text), KEYWORD_COST_PER_BRIEF) * TAGGING_S_PER_UNIT,
        "render": chars * RENDER_S_PER_CHAR + sentences * RENDER_S_PER_SENTENCE,
    }
    return CostEstimate({k: round(v, 2) for k, v in stages.items()})


# Rates fitted to benchmarks/worst_cases.py's CPU seconds on the 2-core reference machine
# (docs/performance.md, "Worst cases"); the tagging rate is the bound's, which real text stays under.
PARSE_S_PER_CHAR = 2.5e-6
PARSE_S_PER_SENTENCE = 4e-5
SUMMARY_S_PER_HAN = 6e-6
SUMMARY_S_PER_DIGIT = 2.2e-5
TAGGING_S_PER_UNIT = 1e-7
RENDER_S_PER_CHAR = 2e-7
RENDER_S_PER_SENTENCE = 6.5e-5
