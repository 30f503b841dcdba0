"""A transcript's official English beside it: NAME.en.txt (or .en.html) next to NAME.txt.

Batch input discovery and `qabrief memory import` of a folder both pair files this way.
"""

from __future__ import annotations

from pathlib import Path

ENGLISH_SUFFIXES = (".en.txt", ".en.html", ".en.htm")


def english_companion(path: Path) -> Path | None:
    """NAME.en.txt (or .en.html) beside NAME.txt: a transcript's official English."""
    base = path.name[: -len(path.suffix)] if path.suffix else path.name
    return next((path.with_name(base + s) for s in ENGLISH_SUFFIXES if path.with_name(base + s).is_file()), None)


def is_english_companion(path: Path) -> bool:
    return path.name.lower().endswith(ENGLISH_SUFFIXES)
