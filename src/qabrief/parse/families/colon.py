"""`name:` labels, the commonest family, with its variants in one pattern.

`新华社记者:`, `[李克強]:` and `【李克强】` (colon or not), an outlet in quotes
(`台灣“中國時報”記者:`), each with a live-text time stamp beside it. They are one regular
expression rather than three families because they compete at the same places (a line
start or a sentence end) and the first that matches there wins; a new variant of `name:`
is one more entry in `_VARIANTS`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..events import Event
from ..lines import TS, Page
from ..script import HAN, to_simplified
from ..speakers import LABEL_STOP, classify_label
from ..transcript import Speaker

_VARIANTS = (
    # [李克強]: or 【李克强】, a time stamp after it: [馬曉光] [10:19]:
    rf"[\[【](?P<blabel>[^\]】\n:：︰]{{1,40}})[\]】][ \t\u3000]*"
    rf"(?P<bts>[\[【(（]\s*{TS}\s*[\]】)）])?[ \t\u3000]*(?P<bcolon>[:：︰])?",
    # 新华社记者: / 主持人 曲衛國:
    rf"(?P<label>[^{LABEL_STOP}]{{1,40}}?(?:[ \u3000][^{LABEL_STOP}]{{1,20}})?)[ \t\u3000]*[:：︰]",
    # an outlet in quotes: 台灣“中國時報”記者:
    rf"(?P<qlabel>[^{LABEL_STOP}的]{{0,12}}[“「\"][^”」\"\n:：]{{1,15}}[”」\"][^{LABEL_STOP}的]{{0,8}}?[记記]者"
    rf"(?:[问問]|[ \u3000]?[{HAN}]{{2,4}})?)[ \t\u3000]*[:：︰]",
)
_LABEL_GROUPS = ("label", "blabel", "qlabel")
LABEL_RE = re.compile(rf"(?P<ts>(?:[\[【(（]\s*)?{TS}(?:\s*[\]】)）])?[ \t\u3000]*)?(?:{'|'.join(_VARIANTS)})")
_BOUNDARY_RE = re.compile(r"[。？！?!…；]+[”’」』）)】》\"']*[ \t\u3000]*")


class LineLabel(NamedTuple):
    raw: str  # the label as printed, brackets and colon left out
    end: int  # where the words after it start
    has_colon: bool  # 【李克强】 alone has none


def label_at_start(line: str) -> LineLabel | None:
    """The label a line starts with, whether or not it names a speaker."""
    m = LABEL_RE.match(line)
    if not m:
        return None
    return LineLabel(_raw(m), m.end(), m.group("blabel") is None or m.group("bcolon") is not None)


def _raw(m: re.Match) -> str | None:
    return next((m.group(g) for g in _LABEL_GROUPS if m.group(g) is not None), None)


def find(page: Page, earlier: tuple[Event, ...]) -> tuple[list[Event], list[tuple[int, int]]]:
    """Labels at a line start or right after a sentence end (the seed runs its turns together
    in one paragraph); a later bare name inherits the title its first label gave it."""
    text, lines = page.text, page.lines_of("text")
    events: list[Event] = []
    spans: list[tuple[int, int]] = []
    known: dict[str, Speaker] = {}
    for start, end in lines:
        candidates = [start] + [m.end() for m in _BOUNDARY_RE.finditer(text, start, end)]
        consumed = start
        for pos in candidates:
            if pos < consumed or pos >= end:
                continue
            m = LABEL_RE.match(text, pos, end)
            if not m:
                continue
            raw = _raw(m)
            if raw is None:
                continue
            if pos != start and _english_after_chinese(text, raw, m.end(), end):
                continue  # `…有何期待？ Q: What does…`: the turn's English, inline (parse.english)
            speaker = classify_label(raw, known)
            if speaker is None or _is_headline(text, m, speaker, known, pos == start, end, lines[-1][1]):
                continue
            if speaker.name:
                known.setdefault(to_simplified(speaker.name), speaker)
            ts = m.group("ts") or m.group("bts")
            ts = ts.strip(" \t\u3000[]【】()（）") if ts else None
            label_start = m.start()  # the timestamp beside a label belongs to the label
            events.append(Event(label_start, m.end(), speaker, ts))
            spans.append((label_start, m.end()))
            consumed = m.end()
    return events, spans


def _english_after_chinese(text: str, raw: str, words_start: int, line_end: int) -> bool:
    """An English label (`Q`, `A`, `Reuters`) inside a line, three English words after it
    before any Chinese: the English of the Chinese before it, not a new speaker."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z .'’&-]*", raw.strip()):
        return False
    han = re.compile(f"[{HAN}]").search(text, words_start, line_end)
    return len(re.findall(r"[A-Za-z]{2,}", text[words_start:han.start() if han else line_end])) >= 3


def _is_headline(text, m, speaker, known, at_line_start, line_end, body_end) -> bool:
    """`王國慶:中國經濟仍將是世界經濟最強勁的“發動機”` on a line of its own is a headline."""
    if speaker.role != "official" or speaker.title or not speaker.name or not at_line_start:
        return False
    if to_simplified(speaker.name) in known:
        return False
    rest = text[m.end() : line_end]
    return bool(rest.strip()) and not re.search(r"[。？！?!…；]", rest) and len(rest) <= 60 and line_end < body_end
