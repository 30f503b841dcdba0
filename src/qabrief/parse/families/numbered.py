"""Bare question numbers: a `2` on a line of its own before unlabelled text starts question 2.

The line after it is the question, the one after that the answer. Only numbers that count
up from 1 are questions: a stray `11` (a page's comment count, a date fragment) is not.
Labels no one printed, so it has no label spans, and it only reads lines no family labelled.
"""

from __future__ import annotations

from ..events import Event
from ..lines import Page, lines_holding
from ..transcript import Speaker


def find(page: Page, earlier: tuple[Event, ...]) -> tuple[list[Event], list[tuple[int, int]]]:
    text, body, kinds = page.text, page.body, page.kinds
    starts = {e.label_start for e in earlier}
    labelled_lines = lines_holding(body, starts)
    out = []
    expected = 1
    for i, ln in enumerate(body[:-1]):
        if kinds[ln] != "number":
            continue
        nxt = body[i + 1]
        if kinds[nxt] != "text" or nxt in labelled_lines:
            continue
        number = text[ln[0] : ln[1]].strip("[]【】()（）.、．")
        if int(number) != expected:
            continue
        expected += 1
        out.append(Event(nxt[0], nxt[0], Speaker(label=number, role="reporter")))
        if i + 2 < len(body) and kinds[body[i + 2]] == "text" and body[i + 2] not in labelled_lines:
            out.append(Event(body[i + 2][0], body[i + 2][0], None))
    return out, []
