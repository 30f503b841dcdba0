"""English `Q …` / `A …` labels, colon or not, in transcripts that print the English beside the Chinese.

Only a transcript that asks `Q` at least twice uses them (an `A` alone is the article), and
only on English lines no family before it labelled. The turn's English after the label
goes to its reference (`parser`'s turn building strips the label with `ENGLISH_QA`).
"""

from __future__ import annotations

import re

from ..events import Event
from ..lines import Page, lines_holding
from ..transcript import Speaker

ENGLISH_QA = re.compile(r"(?P<label>Q|A)(?:[ \t]+|[ \t]*[:.：][ \t]*)(?=[A-Z“\"‘'(\d])")


def find(page: Page, earlier: tuple[Event, ...]) -> tuple[list[Event], list[tuple[int, int]]]:
    """`Q Iranian military admitted…` / `A We are deeply…`: English Q/A labels, colon or not.

    In such transcripts a Chinese line printed after an English one is the Chinese of the
    turn whose English follows it (`我们注意到…请问中方目的是什么?` then `Q The Ministry…`),
    so the turn starts at that Chinese line. When every such line so far introduced a
    question, one left without its English (the page cut off) is a question too."""
    text, kinds = page.text, page.kinds
    body = [ln for ln in page.body if kinds[ln] != "timestamp"]  # a time line between turns separates nothing
    labelled = lines_holding(body, (e.label_start for e in earlier))
    out, spans = [], []
    questions = [ln for ln in body if kinds[ln] == "english" and (m := ENGLISH_QA.match(text, ln[0], ln[1]))
                 and m.group("label") == "Q"]
    if len(questions) < 2:  # "A" alone is the article: only a transcript that asks "Q …" twice uses labels
        return [], []

    def introduces(i: int) -> bool:  # a Chinese line after an English one
        return (kinds[body[i]] == "text" and body[i] not in labelled
                and (i == 0 or kinds[body[i - 1]] == "english"))

    chinese_first: list[str] = []  # the labels the introducing Chinese lines turned out to belong to
    for i, ln in enumerate(body):
        m = ENGLISH_QA.match(text, ln[0], ln[1]) if kinds[ln] == "english" and ln not in labelled else None
        if m:
            label = m.group("label")
            start = ln[0]
            if i > 0 and introduces(i - 1):
                start = body[i - 1][0]
                chinese_first.append(label)
            out.append(Event(start, start, Speaker(label=label, role="reporter" if label == "Q" else "official")))
            spans.append((m.start(), m.end()))
        elif introduces(i) and i > 0 and chinese_first and set(chinese_first) == {"Q"} and (
                i + 1 == len(body) or not ENGLISH_QA.match(text, body[i + 1][0], body[i + 1][1])):
            out.append(Event(ln[0], ln[0], Speaker(label="", role="reporter")))
    return out, spans
