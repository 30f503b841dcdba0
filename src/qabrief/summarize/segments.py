"""Summaries of whole Q&A segments: the question, then each answering speaker.

The answer budget is shared among the officials in proportion to how much each said, so
a minister's two-sentence hand-over does not take the place of the expert's substance.
Host turns are not summarized.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..parse.transcript import Segment, Speaker, Transcript, Turn
from . import limits
from .cues import is_courtesy
from .keywords import keywords
from .limits import Deadline, KeywordBudget, check, summarized_prefix
from .qa import Budget, Pick, QASummarizer
from .text import Vectorizer


@dataclass
class TurnSummary:
    """Chosen sentences of one turn; `turn` is its index in `Segment.answer` (None: the question)."""

    turn: int | None
    speaker: Speaker | None
    picks: list[Pick]

    @property
    def indices(self) -> list[int]:
        return [p.index for p in self.picks]


@dataclass
class SegmentSummary:
    question: TurnSummary | None
    answers: list[TurnSummary] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # where a limit cut the work (limits.py), for the reader


def summarize_transcript(transcript: Transcript, budget: Budget | None = None,
                         summarizer: QASummarizer | None = None, deadline: Deadline | None = None
                         ) -> list[SegmentSummary]:
    """One summary per segment of `transcript.segments`, with document-wide word weights.

    Bounded whatever the transcript (limits.py): each turn over its first MAX_TURN_SENTENCES
    sentences, at most MAX_BRIEF_SENTENCES in all (later turns get no summary), keywords
    within a tagging budget shared by the segments; `deadline` is checked between turns."""
    summarizer = summarizer or QASummarizer()
    left = limits.MAX_BRIEF_SENTENCES
    allowed: dict[int, int] = {}  # id of a turn → how many of its sentences are summarized
    for t in transcript.turns:
        allowed[id(t)] = min(left, summarized_prefix([s.text for s in t.sentences]))
        left -= allowed[id(t)]
    check(deadline, "summarizing")
    vectorizer = Vectorizer.of_sentences([s.text for t in transcript.turns for s in t.sentences[:allowed[id(t)]]])
    keyword_budget = KeywordBudget(segments_left=len(transcript.segments))
    out = []
    for seg in transcript.segments:
        check(deadline, "summarizing")
        out.append(summarize_segment(seg, budget, summarizer, vectorizer, allowed, keyword_budget, deadline))
    return out


def summarize_segment(segment: Segment, budget: Budget | None = None, summarizer: QASummarizer | None = None,
                      vectorizer: Vectorizer | None = None, allowed: dict[int, int] | None = None,
                      keyword_budget: KeywordBudget | None = None, deadline: Deadline | None = None
                      ) -> SegmentSummary:
    """`allowed`: id of a turn → how many of its first sentences may be summarized (default:
    `summarized_prefix`); `keyword_budget`: the brief's tagging budget (default: one segment's)."""
    summarizer = summarizer or QASummarizer()
    budget = budget or Budget()
    notes: list[str] = []

    def texts(turn: Turn) -> list[str]:
        all_ = [s.text for s in turn.sentences]
        n = allowed[id(turn)] if allowed is not None else summarized_prefix(all_)
        if n < len(all_):
            notes.append(limit_note(turn, n))
        return all_[:n]

    question_texts = texts(segment.question) if segment.question else []
    question = None
    if segment.question:
        picks = summarizer(question_texts, budget, kind="question", vectorizer=vectorizer)
        question = TurnSummary(None, segment.question.speaker, picks)
    asked = [question_texts[p.index] for p in question.picks] if question else []
    answers = []
    speaking = [(i, t) for i, t in enumerate(segment.answer) if t.role != "host" and t.sentences]
    for (i, turn), turn_budget in zip(speaking, _share(budget, [t for _, t in speaking])):
        check(deadline, "summarizing")
        picks = summarizer(texts(turn), turn_budget, question=asked or question_texts, vectorizer=vectorizer)
        answers.append(TurnSummary(i, turn.speaker, picks))
    check(deadline, "keywords")
    substance = [s.text for t in segment.turns for s in t.sentences if not is_courtesy(s.text)]
    return SegmentSummary(question, answers, keywords(substance, budget=keyword_budget), notes)


def limit_note(turn: Turn, summarized: int) -> str:
    """The words a brief shows where a limit cut a turn's summary (limits.py)."""
    who = turn.speaker.label if turn.speaker else "unlabelled text"
    if summarized == 0:
        return f"{who}: {len(turn.sentences):,} sentences not summarized (over {limits.MAX_BRIEF_SENTENCES:,} in all)"
    return f"{who}: summary of its first {summarized:,} of {len(turn.sentences):,} sentences"


def _share(budget: Budget, turns: list[Turn]) -> list[Budget]:
    """Split an answer budget among speaking turns (largest remainder, at least 1 each)."""
    if not turns:
        return []
    if budget.ratio is not None:
        return [budget] * len(turns)
    # only what could be chosen counts: a turn that is all thanks and hand-over gets nothing
    substance = [[s for s in t.sentences if not is_courtesy(s.text)] for t in turns]
    if budget.chars is None:
        sizes = [len(s) for s in substance]
    else:
        sizes = [sum(len(x.text) for x in s) for s in substance]
    if not any(sizes):
        return [Budget(sentences=0)] * len(turns)
    if budget.chars is not None:
        total = budget.chars
    elif budget.sentences is not None:
        total = budget.sentences
    else:
        total = Budget().count(sum(sizes))
    if total <= 0:
        return [Budget(sentences=0)] * len(turns)
    whole = sum(sizes)
    raw = [total * s / whole for s in sizes]
    alloc = [max(1 if budget.chars is None and size else 0, int(r)) for r, size in zip(raw, sizes)]
    order = sorted(range(len(turns)), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in order:
        if sum(alloc) >= total:
            break
        alloc[i] += 1
    if budget.chars is not None:
        return [Budget(chars=max(1, a)) for a in alloc]
    return [Budget(sentences=min(a, len(t.sentences))) for a, t in zip(alloc, turns)]
