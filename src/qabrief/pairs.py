"""Sentence pairs in a TSV file: one reader and one column rule for every TSV of pairs —
`qabrief memory import`, `qabrief eval --reference`, a glossary (`--glossary`, the page's
upload, the shipped data/glossary.tsv).

The rule: column 1 is the Chinese, column 2 the English, column 3 (optional) where the
rendering comes from; further columns are kept by nobody (`qabrief memory export` writes a
fourth, the date added). Blank lines and lines starting with `#` are skipped. So what
`memory export` writes is read back by all three. A line with fewer than two columns, an
empty Chinese or English, or an English column that is Chinese only (the glossary's old
column order, Simplified then Traditional then English) stops the reader with one line
naming the file and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import QabriefError

RULE = "'Chinese<TAB>English', optionally then <TAB>source (further columns are ignored)"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class PairLine:
    zh: str
    en: str
    source: str  # column 3, "" without one
    origin: str  # "pairs.tsv:12"


def parse_pairs(text: str, name: str) -> list[PairLine]:
    """The pairs of a TSV's text; `name` is the file as errors show it."""
    pairs = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise QabriefError(f"{name}:{n}: expected {RULE}, got {line[:60]!r}")
        if _HAN.search(cols[1]) and not _LATIN.search(cols[1]):
            raise QabriefError(f"{name}:{n}: column 2 is Chinese, not English ({cols[1][:30]!r}); expected {RULE}")
        pairs.append(PairLine(cols[0], cols[1], cols[2] if len(cols) > 2 else "", f"{name}:{n}"))
    return pairs


def read_pairs(path: str | Path) -> list[PairLine]:
    """The pairs of a TSV file (UTF-8, a byte-order mark allowed); errors name the file by its name."""
    path = Path(path)
    return parse_pairs(read_text(path), path.name)


def read_text(path: Path) -> str:
    """A UTF-8 text file; one that is not is named with the line and the advice to save it as UTF-8."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise QabriefError(f"{path.name}:{line}: not UTF-8 (byte 0x{exc.object[exc.start]:02x}): save it as UTF-8 "
                           "(in Excel: Save As… › CSV UTF-8, or any editor's Save with encoding › UTF-8) and "
                           "try again") from None
    except OSError as exc:
        raise QabriefError(f"cannot read {path}: {exc}") from None
