"""Links files: `qabrief batch links.txt` briefs the page at each address, one a line.

A file given on the command line is a links file when its first line that is not blank
or a `#` comment is a web address. Each line then holds the transcript's address and,
optionally after a space, the address of its official English. A line that is not an
address is reported as failed by its number; the others go on. A link's batch key is
its address (and the options), so a rerun skips what finished and resumes the rest;
a page that changed since is fetched again only once its outputs are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

MAX_LINKS_FILE_BYTES = 1 << 20
_ADDRESS = re.compile(r"(?i)https?://\S+")


@dataclass(frozen=True)
class Link:
    """A transcript page given by its address, from line `line` of a links file."""

    url: str
    listed_in: Path
    line: int
    english_url: str | None = None

    @property
    def name(self) -> str:
        return self.url

    @property
    def stem(self) -> str:
        """An output name from the address: its last meaningful path part, else its host."""
        parts = urlsplit(self.url)
        segments = [s for s in parts.path.split("/") if s]
        for segment in reversed(segments):
            stem = re.sub(r"\.[A-Za-z0-9]{1,6}$", "", segment)
            if stem.lower() not in ("index", "default", "main", "content", ""):
                break
        else:
            stem = parts.hostname or "page"
        return re.sub(r"[^\w.-]+", "_", stem).strip("._")[:80] or "page"

    def __str__(self) -> str:
        return f"{self.listed_in.name} line {self.line}: {self.url}"


@dataclass(frozen=True)
class BadLine:
    listed_in: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.listed_in.name} line {self.line}"


def read_links(path: Path) -> list[Link | BadLine] | None:
    """The links listed in `path`, or None when it is not a links file (a transcript)."""
    try:
        if path.stat().st_size > MAX_LINKS_FILE_BYTES:
            return None
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines or not _ADDRESS.match(lines[0][1]):
        return None
    out: list[Link | BadLine] = []
    for n, line in lines:
        fields = line.split()
        if 1 <= len(fields) <= 2 and all(_ADDRESS.fullmatch(f) for f in fields):
            out.append(Link(fields[0], path, n, fields[1] if len(fields) == 2 else None))
        else:
            out.append(BadLine(path, n, line[:80]))
    return out
