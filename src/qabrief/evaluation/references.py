"""Reference translations for `qabrief eval`: a TSV of pairs, or the bilingual MFA corpus.

A reference is a list of `Pair`s, each with where it came from (a TSV line, a conference
and paragraph), read in file order so that `--limit N` always takes the same N.

- TSV: `Chinese<TAB>English`, one pair a line; `#` comments and blank lines skipped. A
  malformed line stops the run with one line naming it.
- Bilingual JSONL (`../shared/corpus/bilingual/mfa-2018-2019.jsonl`: one conference a line,
  `{"date", "zh": {"paras"}, "en": {"paras"}}`): paragraph pairs, only from conferences
  whose Chinese and English paragraph counts agree (the two pages are otherwise not
  paired paragraph by paragraph). Speaker labels (问：/答：, Q:/A:) are dropped on both
  sides: the brief translates sentences, never labels.
- `mfa-2019-last30`, the default: that corpus's last 30 conferences of 2019 (2019-11-19
  to 2019-12-31; 24 of them have agreeing counts), a fixed slice so that numbers from
  different machines compare.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import settings
from ..errors import QabriefError
from ..pairs import read_pairs

DEFAULT_SET = "mfa-2019-last30"
CORPUS_ENV = "QABRIEF_MFA_CORPUS"
CORPUS_NAME = "mfa-2018-2019.jsonl"
_ZH_LABEL = re.compile(r"^\s*(?:问|答|追问|又问)\s*[：:]\s*")
_EN_LABEL = re.compile(r"^\s*(?:Q|A|Follow-up|Follow-up question)\s*[：:]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Pair:
    zh: str
    en: str
    origin: str  # "pairs.tsv:12", "2019-12-31 ¶5"


def corpus_path() -> Path:
    """The bilingual MFA corpus: QABRIEF_MFA_CORPUS, else ../shared/corpus/bilingual/ beside a checkout."""
    if settings.path(CORPUS_ENV):
        return settings.path(CORPUS_ENV)
    root = Path(__file__).resolve().parents[3]
    return root.parent / "shared" / "corpus" / "bilingual" / CORPUS_NAME


def load_reference(spec: str | os.PathLike | None) -> tuple[str, list[Pair]]:
    """(a name for the report, the pairs) for a TSV, a bilingual JSONL, or the default slice."""
    if spec is None or str(spec) == DEFAULT_SET:
        path = corpus_path()
        if not path.is_file():
            raise QabriefError(f"the default reference {DEFAULT_SET} reads {path}, which is missing; set "
                               f"{CORPUS_ENV} to the corpus file, or give --reference PAIRS.tsv")
        return DEFAULT_SET, mfa_last30(read_conferences(path))
    path = Path(spec)
    if not path.is_file():
        raise QabriefError(f"reference {path} is not a file (a TSV of Chinese<TAB>English, a bilingual JSONL, "
                           f"or {DEFAULT_SET})")
    if path.suffix.lower() in (".jsonl", ".json"):
        return path.name, paragraph_pairs(read_conferences(path))
    return path.name, read_tsv(path)


def read_tsv(path: Path) -> list[Pair]:
    """The pairs of a TSV, by the one rule of `qabrief.pairs` (what `memory export` writes is a reference)."""
    pairs = [Pair(p.zh, p.en, p.origin) for p in read_pairs(path)]
    if not pairs:
        raise QabriefError(f"{path.name}: no pairs")
    return pairs


def read_conferences(path: Path) -> list[dict]:
    conferences = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                record["zh"]["paras"], record["en"]["paras"], record["date"]  # noqa: B018 - the fields used
            except (ValueError, KeyError, TypeError) as exc:
                raise QabriefError(f"{path.name}:{n}: not a conference record with date, zh.paras and en.paras "
                                   f"({type(exc).__name__}: {str(exc)[:80]})") from None
            conferences.append(record)
    return conferences


def paragraph_pairs(conferences: list[dict]) -> list[Pair]:
    """Paragraph pairs of the conferences whose two pages have as many paragraphs each."""
    pairs = []
    for conference in conferences:
        zh, en = conference["zh"]["paras"], conference["en"]["paras"]
        if len(zh) != len(en):
            continue
        for i, (z, e) in enumerate(zip(zh, en), 1):
            z, e = _ZH_LABEL.sub("", z).strip(), _EN_LABEL.sub("", e).strip()
            if z and e:
                pairs.append(Pair(z, e, f"{conference['date']} ¶{i}"))
    return pairs


def mfa_last30(conferences: list[dict]) -> list[Pair]:
    last = sorted((c for c in conferences if str(c["date"]).startswith("2019")), key=lambda c: c["date"])[-30:]
    return paragraph_pairs(last)
