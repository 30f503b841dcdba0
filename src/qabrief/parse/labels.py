"""Label families beyond `name:` — the ones with no colon, and the English beside the Chinese.

- `凤凰卫视 记者 我们关注到…` and `汪文斌阿富汗是…`: labels with no colon at a line start;
- `Q Iranian military…` / `A We are deeply…`: English Q/A labels with or without a colon;
- `…降低基準利率等? Reuters: Last year…`: English printed inline after its Chinese, which
  goes to the turn's reference.
"""

from __future__ import annotations

import re

from .events import Event
from .names import outlet_in_english, pinyin_name
from .script import HAN, to_simplified
from .speakers import TITLE_ENDINGS, classify_label, looks_like_name, relabel
from .transcript import Speaker

# Characters a label never contains (the parser's colon labels use the same set)
LABEL_STOP = r"\s:：︰\[\]【】。？！?!，,；;“”\"「」"

_REPORTER_NO_COLON = re.compile(rf"(?P<label>[^\s{LABEL_STOP}]{{0,20}}?[ \u3000]?记者)[ \u3000]+(?=[{HAN}“\"「])")
_SPOKESPERSON_IN_PROSE = re.compile(rf"发言人([{HAN}]{{2,3}})(?=主持|表示|说|在|答|回答|就)")
# What follows a name in prose, not in a label: 汪文斌说, 汪文斌表示, 汪文斌主持…
_PROSE_AFTER_NAME = re.compile(r"[说称表指强回介主在就对向于和与等曾也还又将已并则副]|今天|日前|近日|"
                               + "|".join(TITLE_ENDINGS))


def labels_without_colon(text, lines, events, spans, known) -> None:
    """Labels with no colon at all, at the start of a line: `凤凰卫视 记者 我们关注到…` (a
    reporter label and a space) and `汪文斌阿富汗是…` (the name of someone already labelled,
    or named spokesperson in the page, running straight into the text)."""
    labelled_lines = {ln for ln in lines if any(ln[0] <= e.label_start < ln[1] for e in events)}
    names = set(known) | {m.group(1) for m in _SPOKESPERSON_IN_PROSE.finditer(to_simplified(text))
                          if looks_like_name(m.group(1))}
    for start, end in lines:
        if (start, end) in labelled_lines:
            continue
        if (m := _REPORTER_NO_COLON.match(text, start, end)) and (speaker := classify_label(m.group("label"))) \
                and speaker.role == "reporter":
            events.append(Event(start, m.end(), speaker))
            spans.append((start, start + len(m.group("label"))))
            continue
        head = to_simplified(text[start:start + 4])
        name = next((n for n in sorted(names, key=len, reverse=True) if head.startswith(n)), None)
        rest = text[start + len(name):end] if name else ""
        # a turn, not a headline ("李克强会见中外记者文字实录"): it says something in sentences
        if name and len(rest) > 6 and re.match(f"[{HAN}“\"「]", rest) and (re.search(r"[。？！?!]", rest)
                                                                         or len(rest) >= 40) \
                and not _PROSE_AFTER_NAME.match(to_simplified(rest[:2])):
            speaker = known.get(name) or Speaker(label=text[start:start + len(name)], role="official",
                                                 name=text[start:start + len(name)])
            events.append(Event(start, start + len(name), relabel(speaker, text[start:start + len(name)])))
            spans.append((start, start + len(name)))


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
