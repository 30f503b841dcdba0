"""The English beside the Chinese: English Q/A labels, and English inside a turn.

- `Q Iranian military…` / `A We are deeply…`: English Q/A labels with or without a colon;
- `…降低基準利率等? Reuters: Last year…`: English printed inline after its Chinese, which
  goes to the turn's reference.
"""

from __future__ import annotations

import re

from .events import Event
from .names import outlet_in_english, pinyin_name
from .script import HAN
from .transcript import Speaker


def strip_english_label(line: str, speaker: Speaker) -> str:
    """`Wang Wenbin Afghanistan is…` / `Phoenix TV We noticed…`: the English label of a turn
    whose label has no colon is the speaker's name in pinyin or the outlet's English name."""
    labels = [pinyin_name(speaker.name) if speaker.name else None,
              outlet_in_english(speaker.outlet) if speaker.outlet else None]
    for label in filter(None, labels):
        if line.startswith(label + " ") and len(line) > len(label) + 1 and line[len(label) + 1].isupper():
            return line[len(label) + 1:]
    return line


ENGLISH_QA = re.compile(r"(?P<label>Q|A)(?:[ \t]+|[ \t]*[:.：][ \t]*)(?=[A-Z“\"‘'(\d])")


def english_qa_labels(text, body, kinds, events) -> tuple[list[Event], list[tuple[int, int]]]:
    """`Q Iranian military admitted…` / `A We are deeply…`: English Q/A labels, colon or not.

    In such transcripts a Chinese line printed after an English one is the Chinese of the
    turn whose English follows it (`我们注意到…请问中方目的是什么?` then `Q The Ministry…`),
    so the turn starts at that Chinese line. When every such line so far introduced a
    question, one left without its English (the page cut off) is a question too."""
    body = [ln for ln in body if kinds[ln] != "timestamp"]  # a time line between turns separates nothing
    labelled = {ln for ln in body if any(ln[0] <= e.label_start < ln[1] for e in events)}
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


# A label starts a line or follows none of a letter, a digit, a space or the label's own
# marks (“5G | Reuters:” and “aX.Reuters:” are not labels), and the spaces before and after
# the "|" are two separate runs: so a match can start only where such a run starts, and
# with each word bounded, a long run of spaces, letters or "A.A.A." costs linear time.
_INLINE_ENGLISH = re.compile(r"(?<![ \t\u3000A-Za-z0-9.'’&|-])[ \t\u3000]*(?:\|[ \t\u3000]*)?"
                             r"(?P<label>[A-Z][A-Za-z.'’&-]{0,40}(?: [A-Za-z.'’&-]{1,40}){0,5}:)"
                             r"[ \t\u3000]?(?=[A-Z“\"‘'(\d])")
_HAN_RUN = re.compile(rf"[{HAN}]")  # English ends at any Chinese character: none may be lost


def split_inline_english(text: str, lo: int, hi: int) -> tuple[list[tuple[int, int]], list[str], list[str]]:
    """(Chinese ranges, English texts, their English labels) of one line: inline English moves
    to the references, its label ("Reuters") to the turn's English label."""
    chinese, english, labels = [], [], []
    line = text[lo:hi]  # on its own, so a label may start the line whatever comes before it
    pos = lo
    while pos < hi:
        m = _INLINE_ENGLISH.search(line, pos - lo)
        if m is None:
            break
        start, label_end = lo + m.start(), lo + m.end()
        han = _HAN_RUN.search(text, label_end, hi)
        end = han.start() if han else hi
        segment = text[label_end:end].strip(" \t\u3000|")
        if len(re.findall(r"[A-Za-z]{2,}", segment)) < 3:  # "CCTV: 5G" (or "Q:A0A") is not an English turn
            break
        if start > pos:
            chinese.append((pos, start))
        english.append(segment)
        labels.append(m.group("label").rstrip(":"))
        pos = end
    if pos < hi:
        chinese.append((pos, hi))
    return chinese, english, labels
