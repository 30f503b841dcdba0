"""Chinese sentence splitting with character offsets.

A sentence ends at 。！？!?；… (a run of them counts once) together with any closing
quotes or brackets that follow, or at a line break. Terminators inside URLs are not
sentence ends; numbers and dates never contain a terminator of ours ("2.2倍" has a
half-width point, which is not one), so they are safe by construction.
"""

from __future__ import annotations

import re

from .script import to_simplified
from .transcript import Sentence

TERMINATORS = "。！？!?；…"
CLOSERS = "”’」』）)】》〉\"'"
_END = re.compile(f"[{TERMINATORS}]+[{re.escape(CLOSERS)}]*|\n")
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+", re.I)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of text[start:end]; offsets are into `text`, surrounding whitespace trimmed."""
    end = len(text) if end is None else end
    protected = [(m.start(), m.end()) for m in _URL.finditer(text, start, end)]
    out: list[Sentence] = []
    pos = start
    for m in _END.finditer(text, start, end):
        if any(a <= m.start() < b for a, b in protected):
            continue
        _emit(text, pos, m.end(), out)
        pos = m.end()
    _emit(text, pos, end, out)
    return out


# The longest sentence of the corpus has 535 characters. A longer "sentence" is pasted junk
# or a page without punctuation: it is cut at a comma or other soft break past half the
# limit, else at the limit, never inside a number (1,234,567 or 10:30), so no one unit of
# translation, check or figure grows without bound.
MAX_SENTENCE_CHARS = 1000
_SOFT_BREAK = re.compile(r"[，、：；\s]|(?<!\d)[,:;]|[,:;](?!\d)")


def _emit(text: str, a: int, b: int, out: list[Sentence]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    while b - a > MAX_SENTENCE_CHARS:  # a loop, not recursion: a 5 MB run has thousands of pieces
        cut = _cut(text, a)
        _append(text, a, cut, out)
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if a < b:
        _append(text, a, b, out)


def _cut(text: str, a: int) -> int:
    """Where to end a piece of an overlong sentence starting at a."""
    limit = a + MAX_SENTENCE_CHARS
    breaks = list(_SOFT_BREAK.finditer(text, a + MAX_SENTENCE_CHARS // 2, limit))
    if breaks:
        return breaks[-1].end()
    cut = limit
    while cut > a + MAX_SENTENCE_CHARS // 2 and text[cut - 1].isdigit() and text[cut].isdigit():
        cut -= 1  # not inside a number, unless the number itself is longer than half the limit
    return cut if cut > a + MAX_SENTENCE_CHARS // 2 else limit


def _append(text: str, a: int, b: int, out: list[Sentence]) -> None:
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        piece = text[a:b]
        out.append(Sentence(piece, a, b, to_simplified(piece)))
