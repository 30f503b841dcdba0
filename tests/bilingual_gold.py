"""The bilingual transcripts of the shared corpus and the hand-written turns of tests/data/bilingual_layouts.

Each file names, for every turn of one bilingual page, its speaker (the label as qabrief
repairs it, "" for none), its role where it matters, the first words of its Chinese and the
first words of the English that renders it ("" where the page prints none). `score` reads a
parsed transcript against them: which turns were found, which carry the right English, and
which parsed turns carry English that belongs to no annotated turn or count English as
Chinese. The expected words were copied from the stored page, mirror artefacts and all, and
get the reader's repair before they are compared.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from corpus import TRANSCRIPTS, transcript_text

LAYOUTS = Path(__file__).parent / "data" / "bilingual_layouts"
_ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}(?:[\s,.'’-]+[A-Za-z]{2,}){2,}")  # three English words in a row


def names() -> list[str]:
    return sorted(p.stem for p in LAYOUTS.glob("*.json"))


def expected(name: str) -> list[dict]:
    return json.loads((LAYOUTS / f"{name}.json").read_text(encoding="utf-8"))["turns"]


def page(name: str) -> str:
    return transcript_text(TRANSCRIPTS / f"{name}.txt")


def _squash(text: str) -> str:
    from qabrief.parse.mirror import repair_mirror_artefacts

    return re.sub(r"\s+", "", repair_mirror_artefacts(text)[0])


@dataclass
class TurnCheck:
    want: dict
    found: object = None  # the parsed Turn, or None

    @property
    def speaker_right(self) -> bool:
        got = self.found.speaker.label if self.found is not None and self.found.speaker else ""
        return self.found is not None and _squash(got) == _squash(self.want["speaker"]) \
            and ("role" not in self.want or self.found.role == self.want["role"])

    @property
    def english_right(self) -> bool:
        if self.found is None:
            return False
        if not self.want["en"]:
            return not self.found.reference
        return _squash(self.found.reference).startswith(_squash(self.want["en"]))


@dataclass
class PageScore:
    name: str
    checks: list[TurnCheck]
    stray: list = field(default_factory=list)  # parsed turns with English that renders no annotated turn
    english_as_chinese: list[str] = field(default_factory=list)  # English runs counted as a turn's Chinese

    @property
    def with_english(self) -> int:
        return sum(1 for c in self.checks if c.want["en"])

    @property
    def attached_right(self) -> int:
        """Annotated turns with English whose parsed turn carries exactly that English first."""
        return sum(1 for c in self.checks if c.want["en"] and c.english_right and c.speaker_right)

    @property
    def right(self) -> int:
        """Annotated turns found with the right speaker and the right English (or none)."""
        return sum(1 for c in self.checks if c.english_right and c.speaker_right)


def score(name: str, transcript) -> PageScore:
    turns = transcript.turns
    checks, position, used = [], 0, set()
    for want in expected(name):
        zh, en = _squash(want["zh"]), _squash(want["en"])
        check = TurnCheck(want)
        for i in range(position, len(turns)):
            turn = turns[i]
            text = _squash(turn.text)
            hit = zh in text[:len(zh) + 8] if zh else (not text and en and _squash(turn.reference).startswith(en))
            if hit:
                check.found, position = turn, i + 1
                used.add(i)
                break
        checks.append(check)
    result = PageScore(name, checks)
    result.stray = [t for i, t in enumerate(turns) if t.reference and i not in used]
    result.english_as_chinese = [m.group(0) for t in turns for m in _ENGLISH_WORDS.finditer(t.text)]
    return result


ALIGNMENT = Path(__file__).parent / "data" / "alignment"  # the hand sentence links of the same pages (issue 23)


def gold_links(name: str) -> list[tuple[list[str], str]]:
    """(Chinese sentences, their English) of every hand link with both sides, squashed."""
    turns = json.loads((ALIGNMENT / f"{name}.json").read_text(encoding="utf-8"))["turns"]
    return [([_squash(z) for z in link["zh"]], _squash(" ".join(link["en"])))
            for turn in turns for link in turn["links"] if link["zh"] and link["en"]]


@dataclass
class Answers:
    sentences: int = 0  # answer sentences (turns of officials)
    printed: int = 0  # of them, those the page prints English for (a hand link has them)
    shown: int = 0  # shown with official English by a brief with no model
    shown_right: int = 0  # of them, linked to the English the hand links give


def answer_sentences(name: str, transcript) -> Answers:
    from qabrief.brief import all_turns, chinese_brief

    gold = gold_links(name)
    brief = chinese_brief(transcript)
    out = Answers()
    for turn, parsed in zip(all_turns(brief), transcript.turns):
        if parsed.role != "official":
            continue
        for sentence in turn.sentences:
            zh = _squash(sentence.zh)
            mine = [en for zhs, en in gold if zh in zhs]
            out.sentences += 1
            out.printed += bool(mine)
            official = sentence.official or {}
            if official.get("shown") and sentence.en_source == "official":
                out.shown += 1
                head = turn.sentences[official["with"]] if "with" in official else sentence
                out.shown_right += bool(mine) and _squash(head.official["en"]) == mine[0]
    return out
