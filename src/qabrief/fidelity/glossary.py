"""Official terminology: a shipped glossary (data/glossary.tsv) and user glossaries on top.

TSV columns, the one rule of every TSV of pairs (`qabrief.pairs`, so `qabrief memory export`
is a glossary too): the term, the official English rendering first and accepted
alternatives after it (| separated), and optionally the source of the rendering; further
columns are ignored. Lines starting with # are comments. A term in Traditional characters
is the same term: matching is done on the Simplified form of term and sentence, longest
term first, so 工业和信息化部 is one term, not 工信 plus 信息化.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import QabriefError
from ..pairs import parse_pairs, read_text
from ..parse.script import to_simplified


@dataclass(frozen=True)
class Term:
    zh: str  # Simplified
    renderings: tuple[str, ...]  # official first
    source: str = ""

    @property
    def en(self) -> str:
        return self.renderings[0]


@dataclass(frozen=True)
class TermCheck:
    zh: str
    en: str
    found: bool


class Glossary:
    def __init__(self, terms: dict[str, Term]):
        self.terms = terms
        ordered = sorted(terms, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None

    @classmethod
    def load(cls, *user_files: str | Path, builtin: bool = True) -> Glossary:
        terms: dict[str, Term] = {}
        if builtin:
            text = resources.files("qabrief").joinpath("data/glossary.tsv").read_text(encoding="utf-8")
            terms.update(_parse(text, "qabrief/data/glossary.tsv"))
        for path in user_files:
            terms.update(_parse(read_text(Path(path)), Path(path).name))  # the user's rendering wins
        return cls(terms)

    def find(self, sentence: str) -> list[Term]:
        """Glossary terms in a sentence (either script), in order of appearance, each once."""
        if not self._pattern:
            return []
        seen: dict[str, Term] = {}
        for m in self._pattern.finditer(to_simplified(sentence)):
            seen.setdefault(m.group(), self.terms[m.group()])
        return list(seen.values())

    def check(self, source: str, translation: str) -> list[TermCheck]:
        """For each term in the source: its official rendering and whether the English has it."""
        english = _norm(translation)
        return [TermCheck(t.zh, t.en, any(_norm(r) in english for r in t.renderings)) for t in self.find(source)]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()


def _parse(text: str, name: str) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for pair in parse_pairs(text, name):
        zh = to_simplified(pair.zh)
        renderings = tuple(r.strip() for r in pair.en.split("|") if r.strip())
        if not renderings:
            raise QabriefError(f"{pair.origin}: no rendering in {pair.en!r}")
        terms[zh] = Term(zh, renderings, pair.source)
    return terms
