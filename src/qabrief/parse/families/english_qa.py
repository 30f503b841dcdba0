"""English `Q …` / `A …` labels, colon or not, in transcripts that print the English beside the Chinese.

Only a transcript that asks `Q` at least twice uses them (an `A` alone is the article), and
only on English lines no family before it labelled. The turn's English after the label
goes to its reference (`parser`'s turn building strips the label with `ENGLISH_QA`).
"""

from __future__ import annotations

import re
from bisect import bisect_right

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

    by_line = {}  # the line each earlier label is on (a bisection each: 5,000 labels over 10,000 lines)
    line_starts = [ln[0] for ln in body]
    for e in earlier:
        k = bisect_right(line_starts, e.label_start) - 1
        if k >= 0 and e.label_start < body[k][1]:
            by_line.setdefault(body[k], e)

    def beside_its_chinese(i: int, label: str) -> bool:  # 問：… then Q: …, or Q: … then 問：…
        role = "reporter" if label == "Q" else "official"
        for k in (i - 1, i + 1):
            e = by_line.get(body[k]) if 0 <= k < len(body) else None
            if e and e.speaker and (e.speaker.role == role or (role == "official" and e.speaker.role == "host")):
                return True
        return False

    def introduces(i: int) -> bool:  # a Chinese line after an English one
        return (kinds[body[i]] == "text" and body[i] not in labelled
                and (i == 0 or kinds[body[i - 1]] == "english"))

    chinese_first: list[str] = []  # the labels the introducing Chinese lines turned out to belong to
    for i, ln in enumerate(body):
        m = ENGLISH_QA.match(text, ln[0], ln[1]) if kinds[ln] == "english" and ln not in labelled else None
        if m and beside_its_chinese(i, m.group("label")):
            continue  # the English of a turn its Chinese label starts
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


def find_names(page: Page, earlier: tuple[Event, ...]) -> tuple[list[Event], list[tuple[int, int]]]:
    """`Wang Yi: …`, `Reporter from Reuters: …`, `Xinhua News Agency: …`: English speaker labels
    where the Chinese has none (a page whose Chinese paragraphs are unlabelled).

    Only on a page no family before it labelled, and with at least two such lines. Each label
    starts its turn; in a page that prints the Chinese first (`english.english_first` says
    which), the turn starts at the unlabelled Chinese lines right before it instead. The role
    is the label's (`english.english_role`); a label it cannot place (`RussiaToday`) asks when
    its English asks."""
    from ..english import ENGLISH_LABEL, english_first, english_role

    if earlier:
        return [], []
    text, kinds = page.text, page.kinds
    body = [ln for ln in page.body if kinds[ln] not in ("timestamp", "furniture")]
    labelled = []
    for i, ln in enumerate(body):
        m = ENGLISH_LABEL.match(text[ln[0]:ln[1]]) if kinds[ln] == "english" else None
        if m and not re.search(r"\d", m.group(1)) and len(m.group(1).split()) <= 6:
            labelled.append((i, m))
    if len(labelled) < 2:
        return [], []
    first = english_first(text, body, kinds, ())
    out, spans = [], []
    floor = 0  # lines before it belong to the previous turn
    for i, m in labelled:
        label = m.group(1)
        role = english_role(label) or ("reporter" if "?" in text[m.end():body[i][1]] else "official")
        k = i
        if not first:
            while k > floor and kinds[body[k - 1]] == "text":
                k -= 1
            if k == 0 and k < i - 1:  # Chinese from the top of the page: its lead, not this turn's
                k = i - 1
        start = body[k][0]
        out.append(Event(start, start, Speaker(label=label, role=role)))
        spans.append((body[i][0], body[i][0] + m.end()))
        floor = i + 1
    return out, spans
