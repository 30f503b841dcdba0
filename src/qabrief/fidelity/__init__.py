"""Fidelity checks: do the numbers and the official terms of the Chinese survive in the English?

    check_numbers("累计建成5G基站达到103.7万个", "1,037 5G base stations")  # [103.7万个 (1,037,000)]

Every translated sentence of a brief carries the result; the renderers show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..quantities import Quantity, chinese_quantities, english_quantities
from .glossary import Glossary, Term, TermCheck

__all__ = ["Glossary", "Quantity", "SentenceCheck", "Term", "TermCheck", "check_numbers", "check_sentence",
           "chinese_quantities", "english_quantities", "flag_truncated"]


def check_numbers(source: str, translation: str) -> list[Quantity]:
    """The quantities of `source` missing from, or different in, `translation` (empty: all survive)."""
    english = english_quantities(translation)
    return [q for q in chinese_quantities(source) if not any(q.matches(e) for e in english)]


@dataclass
class SentenceCheck:
    missing_numbers: list[Quantity] = field(default_factory=list)
    terms: list[TermCheck] = field(default_factory=list)
    truncated: bool = False

    @property
    def problems(self) -> list[str]:
        out = [f"number {q.describe()} not found in the English" for q in self.missing_numbers]
        out += [f"term {t.zh}: expected “{t.en}”" for t in self.terms if not t.found]
        if self.truncated:
            out.append("English much shorter than the rest of the document warrants: possibly truncated")
        return out


def check_sentence(source: str, translation: str, glossary: Glossary | None) -> SentenceCheck:
    return SentenceCheck(check_numbers(source, translation), glossary.check(source, translation) if glossary else [])


def flag_truncated(pairs: list[tuple[str, str]], factor: float = 0.35, min_han: int = 12) -> list[bool]:
    """Which translations are implausibly short for their Chinese, judged against the
    document's own median of English words per Chinese character."""
    import re
    import statistics

    from ..parse.script import han_count

    ratios = [(len(re.findall(r"\w+", en)) / han_count(zh)) if han_count(zh) and en else None for zh, en in pairs]
    known = [r for r in ratios if r]
    if len(known) < 4:
        return [False] * len(pairs)
    median = statistics.median(known)
    return [bool(r is not None and han_count(zh) >= min_han and r < factor * median)
            for r, (zh, _) in zip(ratios, pairs)]
