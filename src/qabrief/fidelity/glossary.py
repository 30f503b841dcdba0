"""Official terminology: a shipped glossary (data/glossary.tsv) and user glossaries on top.

TSV columns: Simplified term, Traditional form(s) where different (| separated), the
official English rendering first and accepted alternatives after it (| separated), and
the source of the rendering. Lines starting with # are comments. Matching is done on the
Simplified form of a sentence, longest term first, so 工业和信息化部 is one term, not
工信 plus 信息化.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import QabriefError
from ..parse.script import to_simplified


@dataclass(frozen=True)
class Term:
    zh: str  # Simplified
    renderings: tuple[str, ...]  # official first
    source: str = ""
    traditional: tuple[str, ...] = ()

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
            try:
                text = Path(path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise QabriefError(f"cannot read glossary {path}: {exc}") from None
            terms.update(_parse(text, str(path)))  # the user's rendering wins
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
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise QabriefError(f"{name}:{n}: expected 'Chinese<TAB>English' (or the 4-column glossary format)")
        if len(cols) == 2:  # a simple user glossary: term, rendering
            cols = [cols[0], "", cols[1], ""]
        zh, trad, en = to_simplified(cols[0].strip()), cols[1].strip(), cols[2].strip()
        if not zh or not en:
            raise QabriefError(f"{name}:{n}: empty term or rendering")
        renderings = tuple(r.strip() for r in en.split("|") if r.strip())
        terms[zh] = Term(zh, renderings, cols[3].strip() if len(cols) > 3 else "",
                         tuple(t for t in trad.split("|") if t))
    return terms
