"""Labels with no colon at all, at the start of a line.

`凤凰卫视 记者 我们关注到…` (a reporter label and a space) and `汪文斌阿富汗是…` (the name of
someone already labelled, or a spokesperson the page names, running straight into the
text). Riskier than `name:`, so it runs after it and only on lines no label has claimed.
"""

from __future__ import annotations

import re

from ..events import Event
from ..lines import Page, lines_holding
from ..script import HAN, to_simplified
from ..speakers import LABEL_STOP, TITLE_ENDINGS, classify_label, looks_like_name, relabel
from ..transcript import Speaker

_REPORTER_NO_COLON = re.compile(rf"(?P<label>[^\s{LABEL_STOP}]{{0,20}}?[ \u3000]?记者)[ \u3000]+(?=[{HAN}“\"「])")
_SPOKESPERSON_IN_PROSE = re.compile(rf"发言人([{HAN}]{{2,3}})(?=主持|表示|说|在|答|回答|就)")
# What follows a name in prose, not in a label: 汪文斌说, 汪文斌表示, 汪文斌主持…
_PROSE_AFTER_NAME = re.compile(r"[说称表指强回介主在就对向于和与等曾也还又将已并则副]|今天|日前|近日|"
                               + "|".join(TITLE_ENDINGS))


def find(page: Page, earlier: tuple[Event, ...]) -> tuple[list[Event], list[tuple[int, int]]]:
    """Events and label spans of the no-colon labels on the text lines `earlier` left free;
    a name is one `earlier` labelled (its speaker, titled) or the page's spokesperson."""
    text, lines = page.text, page.lines_of("text")
    known: dict[str, Speaker] = {}
    for e in earlier:
        if e.speaker and e.speaker.name:
            known.setdefault(to_simplified(e.speaker.name), e.speaker)
    labelled_lines = lines_holding(lines, (e.label_start for e in earlier))
    names = set(known) | {m.group(1) for m in _SPOKESPERSON_IN_PROSE.finditer(to_simplified(text))
                          if looks_like_name(m.group(1))}
    lengths = sorted({len(n) for n in names}, reverse=True)  # the longest name a line starts with wins
    events: list[Event] = []
    spans: list[tuple[int, int]] = []
    for start, end in lines:
        if (start, end) in labelled_lines:
            continue
        if (m := _REPORTER_NO_COLON.match(text, start, end)) and (speaker := classify_label(m.group("label"))) \
                and speaker.role == "reporter":
            events.append(Event(start, m.end(), speaker))
            spans.append((start, start + len(m.group("label"))))
            continue
        head = to_simplified(text[start:start + 4])
        name = next((head[:k] for k in lengths if len(head) >= k and head[:k] in names), None)
        rest = text[start + len(name):end] if name else ""
        # a turn, not a headline ("李克强会见中外记者文字实录"): it says something in sentences
        if name and len(rest) > 6 and re.match(f"[{HAN}“\"「]", rest) and (re.search(r"[。？！?!]", rest)
                                                                         or len(rest) >= 40) \
                and not _PROSE_AFTER_NAME.match(to_simplified(rest[:2])):
            speaker = known.get(name) or Speaker(label=text[start:start + len(name)], role="official",
                                                 name=text[start:start + len(name)])
            events.append(Event(start, start + len(name), relabel(speaker, text[start:start + len(name)])))
            spans.append((start, start + len(name)))
    return events, spans
