"""The body's lines and what each holds: text, English, a bare number, a time, page furniture.

Every label family reads the same classification (`Page`), so a line is one kind for all of
them; a family that needs a kind of line of its own adds it here, the one thing a new
layout may have to touch outside its family module.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from .script import han_count

# a live-text time stamp: 10:05, 10:05:31, 2024-03-08 10:49:41
TS = r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+)?\d{1,2}:\d{2}(?::\d{2})?"
# a page's pager and print links: 【 第1頁 第2頁 … 】, 】 【打 印】, or a pager the stored page cuts off (… 第1)
PAGER_LINE = re.compile(
    r"^[\s【】\[\]|｜]*(?:(?:第\s*\d+\s*[页頁]|[上下]一[页頁]|打\s*印|关闭|關閉)[\s【】\[\]|｜]*)+(?:第\s*\d*)?$"
)
_TS_LINE = re.compile(rf"^[\[【(（]?\s*{TS}\s*[\]】)）]?$")
_NUMBER_LINE = re.compile(r"^[\[【(（]?(\d{1,3})[\]】)）]?[.、．]?$")


def split_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, its surrounding spaces left out."""
    out, pos = [], 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
        pos += len(line) + 1
    return out


def line_kind(line: str) -> str:
    """number, timestamp, furniture, english or text."""
    if _NUMBER_LINE.match(line):
        return "number"
    if _TS_LINE.match(line):
        return "timestamp"
    if PAGER_LINE.match(line):
        return "furniture"
    letters = len(re.findall(r"[A-Za-z]", line))
    if letters >= 8 and han_count(line) * 20 <= letters:
        return "english"
    return "text"


def lines_holding(lines: list[tuple[int, int]], offsets) -> set[tuple[int, int]]:
    """The lines (sorted, non-overlapping (start, end)) that hold one of `offsets`: a
    bisection per line, so 5,000 labels over 10,000 lines is not 50 million comparisons."""
    points = sorted(offsets)
    held = set()
    for ln in lines:
        k = bisect_left(points, ln[0])
        if k < len(points) and points[k] < ln[1]:
            held.add(ln)
    return held


@dataclass(frozen=True)
class Page:
    """The transcript's text and its body lines (below the header), each with its kind."""

    text: str
    body: list[tuple[int, int]]
    kinds: dict[tuple[int, int], str]

    @staticmethod
    def of(text: str, body: list[tuple[int, int]]) -> Page:
        return Page(text, body, {ln: line_kind(text[ln[0]:ln[1]]) for ln in body})

    def lines_of(self, kind: str) -> list[tuple[int, int]]:
        return [ln for ln in self.body if self.kinds[ln] == kind]
