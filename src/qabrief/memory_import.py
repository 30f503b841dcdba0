"""`qabrief memory import`: official renderings into the memory, from what translators and
ministries publish — TMX files, TSV pairs, a Chinese transcript and its English (a pair of
files, or a folder of `NAME.txt` + `NAME.en.txt`), and the bilingual JSONL of the corpus.

A broken file stops with one line that names it and where (a TSV line, a TMX element or
parse position, a JSONL line); a text file that is not UTF-8 is named with the advice to
save it as UTF-8 (a TMX may declare another encoding in its XML declaration, or start with
a UTF-16 byte-order mark). From transcripts only the confident links are stored, with the
identity of the documents they came from (`official.memory.document_identity`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

from .errors import QabriefError
from .official.memory import Origin
from .pairs import read_pairs, read_text


def read_tsv(path: Path) -> Iterator[tuple[str, str]]:
    """(Chinese, English) of a TSV of pairs, by the one rule of `qabrief.pairs` (what `memory export` writes)."""
    for pair in read_pairs(path):
        yield pair.zh, pair.en


def read_tmx(path: Path) -> Iterator[tuple[str, str]]:
    """Translation units with a Chinese (zh*) and an English (en*) segment. The bytes go to the
    XML parser as they are, so the encoding the file declares is the one read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QabriefError(f"cannot read {path}: {exc}") from None
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise QabriefError(f"{path.name}:{line}:{column}: not valid TMX ({exc.msg if hasattr(exc, 'msg') else exc})"
                           ) from None
    units = root.iter("tu")
    for n, unit in enumerate(units, 1):
        segments = {}
        for variant in unit.iter("tuv"):
            lang = (variant.get("{http://www.w3.org/XML/1998/namespace}lang") or variant.get("lang") or "").lower()
            seg = variant.find("seg")
            if seg is not None:
                segments[lang[:2]] = "".join(seg.itertext()).strip()
        if not segments.get("zh") or not segments.get("en"):
            raise QabriefError(f"{path.name}: translation unit {n} has no {'zh' if not segments.get('zh') else 'en'} "
                               "segment (<tuv xml:lang=\"zh\"> and <tuv xml:lang=\"en\"> with a <seg> each)")
        yield segments["zh"], segments["en"]


def read_documents(chinese: Path | str, english: Path | str) -> list[tuple[str, str]]:
    """The confident sentence links of a Chinese transcript and its official English, knowing
    the documents they came from (`Learned.document`)."""
    from .brief import chinese_brief
    from .official import read_english
    from .official.attach import document_of
    from .official.memory import Learned
    from .parse import parse

    transcript, english_doc = parse(chinese), read_english(english)
    brief = chinese_brief(transcript, english=english_doc, english_mode="official")
    return Learned(confident_pairs(brief), document_of(transcript.turns, english_doc),
                   Origin((brief.date or "")[:10], english_doc.title or brief.title_zh or ""))


def read_bilingual_conferences(path: Path, year: str | None = None) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(conference date, its confident links knowing their documents) for each of the corpus's
    conferences (of `year`)."""
    for n, line in enumerate(_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            conference = json.loads(line)
            date, zh, en = conference["date"], conference["zh"], conference["en"]
            chinese = "\n".join([zh["title"], *zh["paras"]])
            english = "\n".join([en["title"], *en["paras"]])
        except (ValueError, KeyError, TypeError) as exc:
            raise QabriefError(f"{path.name}:{n}: not a conference record ({type(exc).__name__})") from None
        if year and not str(date).startswith(year):
            continue
        pairs = read_documents(chinese, english)
        pairs.origin = Origin(str(date), en.get("title") or "", en.get("url") or "")  # what a hint names
        yield date, pairs


def read_bilingual_jsonl(path: Path, year: str | None = None) -> Iterator[tuple[str, tuple[str, str]]]:
    """(conference date, pair) for every confident link of the corpus's conferences (of `year`)."""
    for date, pairs in read_bilingual_conferences(path, year):
        for pair in pairs:
            yield date, pair


def confident_pairs(brief) -> list[tuple[str, str]]:
    from .brief import all_turns

    pairs, pending = [], None
    for turn in all_turns(brief):
        for s in turn.sentences:
            if not (s.official and s.official.get("shown")):
                continue
            if s.official.get("with") is not None and pending:  # the second sentence of a 2-1 link
                pending[0] += s.zh
                continue
            pending = [s.zh, s.official["en"]]
            pairs.append(pending)
    return [(zh, en) for zh, en in pairs]


def _text(path: Path) -> str:
    return read_text(path)
