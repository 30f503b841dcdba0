"""Label families: one module per transcript layout of speaker labels, one list that runs them.

Each family is a function `find(page, earlier) -> (events, label spans)`: it reads the page
(text, body lines and their kinds, `lines.Page`) and the events of the families before it,
and returns what it found without changing either. A new layout is one module and one
entry in `FAMILIES`, with its tests.

The trade-off: families are not independent. They run in this order, each sees the events
of those before it (a riskier family only looks where no surer one found a label, and a
name labelled `name:` is what a later bare name is recognised by), so where a new family
goes in the list is part of its declaration.
"""

from __future__ import annotations

from collections.abc import Callable

from ..events import Event
from ..lines import Page
from . import colon, english_qa, no_colon, numbered, replies

Found = tuple[list[Event], list[tuple[int, int]]]
Family = Callable[[Page, tuple[Event, ...]], Found]

FAMILIES: tuple[Family, ...] = (
    colon.find,  # 新华社记者: · [李克強]: · 【李克强】 · 台灣“中國時報”記者: (time stamps beside)
    no_colon.find,  # 凤凰卫视 记者 我们关注到… · 汪文斌阿富汗是…
    numbered.find,  # a bare `2` line: question 2, then its answer
    english_qa.find,  # Q Iranian military admitted… · A We are deeply…
    english_qa.find_names,  # Wang Yi: … · Reporter from Reuters: … where the Chinese has no labels
    replies.find,  # the paragraph after a 问 in a 答-labelled page: its unlabelled answer
)


def find_labels(page: Page) -> Found:
    """Every family's events, in family order, and their label spans."""
    events: list[Event] = []
    spans: list[tuple[int, int]] = []
    for family in FAMILIES:
        found, found_spans = family(page, tuple(events))
        events += found
        spans += found_spans
    return events, spans
