"""Turn whatever the user dropped in (a path, bytes or a string) into plain Unicode text.

Encodings: a BOM (UTF-8, UTF-16) decides; else UTF-8 is tried first because it almost
never decodes text that is not UTF-8; else charset-normalizer chooses among the Chinese
encodings (GBK/GB18030, Big5/Big5-HKSCS). Measured on 146 pages and plain-text files
built from the corpus (benchmarks/reading_pages.py) it decoded every one, 5x faster than
the hand-written rule (keep whichever of GB18030 and Big5 reads more like Chinese), which
missed 3 of the 34 GBK/Big5 plain-text files (and, before the fix this measurement
prompted, every Big5 page: it ignored the page's declared charset). That rule remains the
fallback when charset-normalizer is not installed or finds nothing.
HTML pages are reduced to their main text by `webpage.extract_page`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import QabriefError
from .mirror import repair_mirror_artefacts
from .script import han_count, to_simplified
from .webpage import extract_page, looks_like_html

MAX_INPUT_BYTES = 5 * 1024 * 1024
"""Largest input accepted (5 MiB, about 1.7 million Chinese characters: a year of
press conferences). Larger files are refused rather than risking the user's memory."""


@dataclass(frozen=True)
class Document:
    text: str
    encoding: str
    html_title: str | None = None


def read_document(source: str | bytes | os.PathLike, *, max_bytes: int = MAX_INPUT_BYTES,
                  language: str = "zh", charset: str | None = None) -> Document:
    """Read a path, raw bytes, or a transcript string into a `Document`; `language="en"`
    reads an official English transcript (no mirror glosses to repair, no Chinese needed).
    `charset`: what a web server declared for these bytes (believed only where it decodes them)."""
    if isinstance(source, os.PathLike):
        data = _read_file(Path(source), max_bytes)
        text, encoding = decode_bytes(data, name=str(source))
    elif isinstance(source, bytes):
        _check_size(len(source), max_bytes, "input")
        text, encoding = decode_bytes(source, declared=charset)
    else:
        _check_size(len(source.encode("utf-8", "surrogatepass")), max_bytes, "text")
        text, encoding = source, "utf-8"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = None
    if looks_like_html(text):
        text, title = extract_page(text)
    text = "".join(ch for ch in text if ch in "\n\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0))
    if language == "en":
        if len(re.findall(r"[A-Za-z]", text)) < 20:
            raise QabriefError("no English text found in the official English transcript")
        return Document(text=text, encoding=encoding, html_title=title)
    text, _ = repair_mirror_artefacts(text)
    if not text.strip():
        raise QabriefError("the transcript is empty")
    if han_count(text) == 0:
        raise QabriefError("no Chinese text found: qabrief reads Chinese transcripts")
    return Document(text=text, encoding=encoding, html_title=title)


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise QabriefError(f"no such file: {path}") from None
    except OSError as exc:
        raise QabriefError(f"cannot read {path}: {exc.strerror}") from None
    if path.is_dir():
        raise QabriefError(f"{path} is a folder, not a transcript file")
    _check_size(size, max_bytes, str(path))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise QabriefError(f"cannot read {path}: {exc.strerror}") from None


def _check_size(size: int, max_bytes: int, what: str) -> None:
    if size > max_bytes:
        raise QabriefError(
            f"{what} is {size / 1048576:.1f} MiB, over the {max_bytes / 1048576:.0f} MiB limit; "
            "split it into separate transcripts"
        )


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


def decode_bytes(data: bytes, name: str = "input", *, detector: bool = True,
                 declared: str | None = None) -> tuple[str, str]:
    """Decode transcript bytes; returns (text, encoding name). `detector=False` skips
    charset-normalizer (the benchmark compares the two). `declared`: the charset a web
    server sent with the bytes, tried after UTF-8 (servers often declare a default they do
    not use, so it must decode cleanly to be believed)."""
    if not data.strip():
        raise QabriefError(f"{name} is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise QabriefError(f"{name} starts like UTF-16 but does not decode as UTF-16") from None
    if _looks_binary(data):
        raise QabriefError(f"{name} looks like a binary file, not a text transcript")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared and declared.lower() in _DECLARED_CHINESE:
        try:
            return data.decode(_DECLARED_CHINESE[declared.lower()]), _canonical(_DECLARED_CHINESE[declared.lower()])
        except UnicodeDecodeError:
            pass
    detected = _detect_chinese_encoding(data) if detector else None
    if detected is not None:
        return detected
    declared = _META_CHARSET.search(data[:4096])
    candidates = ["gb18030", "big5hkscs"]
    if declared:
        name_ = declared.group(1).decode("ascii", "ignore").lower()
        if name_ in ("big5", "big5-hkscs", "cp950"):
            candidates = ["big5hkscs", "gb18030"]
    decoded = []
    if declared and candidates[0] == "big5hkscs":  # the page says Big5: believe it when it decodes
        try:
            return data.decode("big5hkscs"), "big5"
        except UnicodeDecodeError:
            pass
    for enc in candidates:
        try:
            decoded.append((enc, data.decode(enc)))
        except UnicodeDecodeError:
            continue
    if not decoded:
        # Mostly one encoding with a few broken bytes: keep the text, mark the damage.
        text = data.decode("gb18030", "replace")
        return text, "gb18030 (with undecodable bytes replaced)"
    if len(decoded) == 1:
        enc, text = decoded[0]
        return text, _canonical(enc)
    enc, text = max(decoded, key=lambda item: _chinese_likeness(item[1]))
    return text, _canonical(enc)


_DECLARED_CHINESE = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "big5": "big5hkscs",
                     "big5-hkscs": "big5hkscs", "cp950": "big5hkscs"}
_CHINESE_ENCODINGS = ["utf_8", "gb18030", "gbk", "big5hkscs", "big5", "cp950"]


def _detect_chinese_encoding(data: bytes) -> tuple[str, str] | None:
    try:
        import charset_normalizer
    except ImportError:
        return None
    best = charset_normalizer.from_bytes(data, cp_isolation=_CHINESE_ENCODINGS).best()
    if best is None or best.encoding is None:
        return None
    return str(best), _canonical(best.encoding)


def _canonical(enc: str) -> str:
    return {"big5hkscs": "big5", "cp950": "big5", "utf_8": "utf-8"}.get(enc, enc)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(head) * 0.05


def _chinese_likeness(text: str) -> float:
    import jieba

    jieba.setLogLevel(60)
    sample = to_simplified("".join(ch for ch in text[:4000] if not ch.isspace()))
    if not sample:
        return 0.0
    in_words = sum(len(w) for w in jieba.lcut(sample, HMM=False) if len(w) > 1)
    return in_words / max(1, han_count(sample))


