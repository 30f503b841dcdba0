"""Answers the page printed without their 答: the paragraph right after a reporter's.

In a page that labels its answers 答 (three times at least), a question is one paragraph, so
an unlabelled paragraph after a reporter's (追问：…, 记者：是的。) is the spokesperson's reply
(31 of the foreign ministry corpus's exchanges), not more of the question. It runs last: it
reads the labels every other family found, and adds none of its own to the text.
"""

from __future__ import annotations

import re

from ..events import Event
from ..lines import Page, lines_holding
from ..speakers import ANSWER_WORDS
from ..transcript import Speaker


def find(page: Page, earlier: tuple[Event, ...]) -> tuple[list[Event], list[tuple[int, int]]]:
    """In a page that labels its answers 答 (three times at least), an answer event at each
    unlabelled text line that directly follows a reporter's line."""
    lines = page.lines_of("text")
    answers = [e for e in earlier if e.speaker and e.speaker.role == "official"
               and re.sub(r"\s+", "", e.speaker.label) in ANSWER_WORDS]
    if len(answers) < 3:
        return [], []
    starts = {e.label_start for e in earlier}
    held = lines_holding(lines, starts)
    labelled = [ln in held for ln in lines]
    asked = lines_holding(lines, (e.label_start for e in earlier if e.speaker and e.speaker.role == "reporter"))
    asked_on = {k for k, ln in enumerate(lines) if ln in asked}
    return [Event(lines[k + 1][0], lines[k + 1][0], Speaker(label=answers[0].speaker.label, role="official"))
            for k in sorted(asked_on) if k + 1 < len(lines) and not labelled[k + 1]], []
