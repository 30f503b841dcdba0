"""The parsed transcript: plain dataclasses shared by every stage of the pipeline.

Offsets (`start`, `end`) always index into `Transcript.text`, the decoded plain text
of the input (after HTML stripping), so a sentence can be found again in what the
user supplied. Display text is never rewritten; the Simplified form a model needs
lives beside it in `Sentence.simplified`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Role = Literal["reporter", "official", "host"]


@dataclass(frozen=True)
class Speaker:
    """Who speaks a turn. `label` is what the transcript printed before the colon."""

    label: str
    role: Role
    name: str | None = None
    outlet: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    simplified: str = ""


@dataclass
class Turn:
    """One speaker's uninterrupted contribution; `speaker` is None for unlabelled text."""

    speaker: Speaker | None
    sentences: list[Sentence] = field(default_factory=list)
    start: int = 0
    end: int = 0
    reference: str = ""  # official English that followed this turn in a bilingual transcript
    timestamp: str | None = None
    label_en: str = ""  # the English label of that reference ("Wang Wenbin", "Xinhua News Agency", "Q")
    # per line of `reference`, the span of the Chinese it renders: the Chinese paragraphs the page
    # prints beside it (before it, or after it on a page that prints English first)
    reference_spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentences)

    @property
    def role(self) -> str | None:
        return self.speaker.role if self.speaker else None

    def to_dict(self) -> dict:
        out = {
            "speaker": asdict(self.speaker) if self.speaker else None,
            "text": self.text,
            "sentences": [asdict(s) for s in self.sentences],
        }
        if self.reference:
            out["reference"] = self.reference
        if self.label_en:
            out["label_en"] = self.label_en
        if self.timestamp:
            out["timestamp"] = self.timestamp
        return out


@dataclass
class Segment:
    """A question and every turn that answers it (question is None for text with no question)."""

    question: Turn | None
    answer: list[Turn] = field(default_factory=list)

    @property
    def turns(self) -> list[Turn]:
        return ([self.question] if self.question else []) + self.answer

    def to_dict(self) -> dict:
        return {
            "question": self.question.to_dict() if self.question else None,
            "answer": [t.to_dict() for t in self.answer],
        }


@dataclass
class Transcript:
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    script: Literal["traditional", "simplified"] = "simplified"
    encoding: str = "utf-8"
    opening: list[Turn] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    label_spans: list[tuple[int, int]] = field(default_factory=list)
    # text left out on purpose: page furniture (pager, print links) and a paragraph a page posts twice
    skipped_spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def turns(self) -> list[Turn]:
        return self.opening + [t for seg in self.segments for t in seg.turns]

    @property
    def questions(self) -> list[Segment]:
        return [s for s in self.segments if s.question is not None]

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "script": self.script,
            "encoding": self.encoding,
            "opening": [t.to_dict() for t in self.opening],
            "segments": [s.to_dict() for s in self.segments],
        }
