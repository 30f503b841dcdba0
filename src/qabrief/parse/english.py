"""The English beside the Chinese inside a turn (the English Q/A labels are `families/english_qa`).

- `Wang Wenbin Afghanistan is…`: the English label of a turn whose Chinese label has no colon;
- `…降低基準利率等? Reuters: Last year…`: English printed inline after its Chinese, which
  goes to the turn's reference.
"""

from __future__ import annotations

import re

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
