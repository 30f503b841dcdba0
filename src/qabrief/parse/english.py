"""The English beside the Chinese inside a turn (the English Q/A labels are `families/english_qa`).

- `Wang Wenbin Afghanistan is…`: the English label of a turn whose Chinese label has no colon;
- `…降低基準利率等? Reuters: Last year…`: English printed inline after its Chinese, which
  goes to the turn's reference.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

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
                             r"(?P<label>[A-Z][A-Za-z.'’&-]{0,40}(?: [A-Za-z.'’&-]{1,40}){0,5}[:：])"
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
        labels.append(m.group("label").rstrip(":："))
        pos = end
    if not english and (tail := _unlabelled_tail(text, lo, hi)):
        chinese.append(_trim(text, lo, tail[0]))
        english.append(text[tail[1]:hi].strip(" \t\u3000|"))
        labels.append("")
        return chinese, english, labels
    if pos < hi:
        chinese.append((pos, hi))
    return [r for r in map(lambda r: _trim(text, *r), chinese) if r[0] < r[1]], english, labels


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """A Chinese range without the separators around it (`…有何评论？ |`: the English is missing)."""
    while a < b and text[a] in " \t\u3000|":
        a += 1
    while b > a and text[b - 1] in " \t\u3000|":
        b -= 1
    return a, b


# `…提出的问题。[中国网] Chinese Premier Li Keqiang speaks at … [China.org.cn] |`: English with
# no label closing a line after the Chinese ends (a sentence's end or a bracket), a separator or not
_TAIL_START = re.compile(r"(?<=[。？！?!.\]】)）])[ \t\u3000]*(?:\|[ \t\u3000]*)?(?=[A-Z“\"‘'])")


def _unlabelled_tail(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """(end of the Chinese, start of the English) of a line whose last part is an English
    rendering without a label: at least six English words to the line's end, no Chinese in
    them, after at least five Chinese characters."""
    for m in _TAIL_START.finditer(text, lo, hi):
        rest = text[m.end():hi]
        if _HAN_RUN.search(rest):
            continue
        if len(re.findall(r"[A-Za-z]{2,}", rest)) >= 6 and len(_HAN_RUN.findall(text, lo, m.start())) >= 5:
            return m.start(), m.end()
        return None
    return None


# "At the beginning of the press conference, Premier Li Keqiang said: Friends from the press, …":
# the narrative before the speech is the page's, not the speaker's
_NARRATIVE = re.compile(r"^(?P<who>[^:：.?!\n]{0,160}?)\s+(?:said|says|stated|noted|remarked|added)\s*[:：]\s*"
                        r"(?=[A-Z“\"‘'])")
_GLUED_END = re.compile(r"([.?!][\"”’')]*)(?=[\"“‘(]?[A-Z])")


def strip_narrative(line: str) -> tuple[str, str]:
    """(the speech, who said it) of `…, Premier Li Keqiang said: Friends…`; (line, "") otherwise."""
    m = _NARRATIVE.match(line)
    if not m:
        return line, ""
    return line[m.end():], m.group("who").rsplit(",", 1)[-1].strip()


def unglue(line: str) -> str:
    """English a page printed with its spaces stripped (`cooperation.However,wehave…`) gets a
    space after each sentence end, so its sentences split; words stay as printed."""
    letters = sum(c.isalpha() for c in line)
    if letters < 40 or line.count(" ") * 30 > letters:
        return line
    return _GLUED_END.sub(r"\1 ", line)


_GENERIC_QUESTION = {"q", "question", "follow-up", "follow-up question", "journalist", "reporter", "correspondent"}
_GENERIC_ANSWER = {"a", "answer"}
_OUTLET_WORDS = re.compile(r"\b(?:News|Agency|TV|Television|Radio|Daily|Times|Press|Post|Network|Broadcasting|"
                           r"Service|Journal|Magazine|Media|Channel|Herald|Reuters|Bloomberg|Xinhua|Kyodo|Yonhap|"
                           r"Phoenix|Today|Review|Tribune|Gazette|Reporter|Journalist|Correspondent)\b|"
                           r"\b[A-Z]{2,6}\b")
_HOST_WORDS = re.compile(r"\b(?:Host|Moderator|Chair|Chairperson|Presenter)\b")


def english_role(label: str) -> str | None:
    """Who an English label names: `Q`, `Reporter from …`, an outlet → reporter; `A`, a person
    (`Wang Yi`, `Premier Li`) → official; `Host`, `Moderator` → host; None when it cannot say."""
    low = label.lower().strip()
    if low in _GENERIC_QUESTION or low.startswith(("reporter ", "journalist ", "correspondent ")):
        return "reporter"
    if low in _GENERIC_ANSWER:
        return "official"
    if _HOST_WORDS.search(label):
        return "host"
    if _OUTLET_WORDS.search(label):
        return "reporter"
    if re.fullmatch(r"(?:[A-Z][a-z]+(?:-[a-z]+)?\.? ?){1,5}", label.strip()):
        return "official"
    return None


_pinyin = lru_cache(maxsize=4096)(pinyin_name)  # a page names its few speakers on every turn


def label_fits(label: str, speaker: Speaker | None) -> int:
    """Does an English label name this (Chinese-labelled) speaker? 1 it does (the name's pinyin,
    the outlet's English name, Q for a reporter, A for an official), -1 it names someone else,
    0 it cannot tell."""
    if speaker is None or not label:
        return 0
    low = label.lower().strip()
    words = set(re.findall(r"[a-z]+", low))
    if low in _GENERIC_QUESTION:
        return 1 if speaker.role == "reporter" else -1
    if low in _GENERIC_ANSWER:
        return 1 if speaker.role in ("official", "host") else -1
    if speaker.name:
        pinyin = _pinyin(speaker.name).lower()
        surname = pinyin.split()[0]
        return 1 if surname in words or pinyin.replace(" ", "") in words else -1
    outlet = outlet_in_english(speaker.outlet) if speaker.outlet else None
    if outlet and (outlet.lower() in low or low in outlet.lower()):
        return 1
    if speaker.role == "reporter" and english_role(label) == "reporter":
        return 0 if not outlet else -1
    return 0


def english_label(line: str) -> str:
    """The English label a line of English opens with (`Wang Wenbin:`, `CNN:`, or who `…said:`)."""
    if m := ENGLISH_LABEL.match(line):
        return m.group(1)
    return strip_narrative(line)[1]


# "Wang Wenbin: …", "Xinhua News Agency: …", or the label alone on its line ("Zhang Jingyi:")
ENGLISH_LABEL = re.compile(r"^([A-Z][\w .'’&()-]{0,40}?)\s*[:：]\s*(?=\S|$)")
_ASKS = re.compile(r"[?？]|请问|請問")


def english_first(text: str, body: list[tuple[int, int]], kinds: dict, events) -> bool:
    """Whether this page prints each English paragraph before the Chinese it renders (the NPC's
    `CNN: Premier Li, my question…` then `[美國有線電視新聞網記者]李總理,…`), rather than after.

    A layout rule, voted over the page: an English line whose label names the Chinese speaker
    after it (or clashes with the one before) votes "before", and the reverse "after"; an
    English question whose Chinese neighbour after it asks (and the one before does not) votes
    "before". Ties, and pages with no such evidence, read English after its Chinese."""
    ordered = sorted(events, key=lambda e: e.label_start)
    starts = [e.label_start for e in ordered]
    before = after = 0
    for k, ln in enumerate(body):
        if kinds[ln] != "english":
            continue
        line = text[ln[0]:ln[1]]
        if label := english_label(line):
            p, n = bisect_left(starts, ln[0]), bisect_left(starts, ln[1])
            prev = ordered[p - 1] if p > 0 else None
            nxt = ordered[n] if n < len(ordered) else None
            p = label_fits(label, prev.speaker if prev else None)
            n = label_fits(label, nxt.speaker if nxt else None)
            before += (p < 0) + (n > 0)
            after += (p > 0) + (n < 0)
        if "?" in line and 0 < k < len(body) - 1:
            prev_zh, next_zh = body[k - 1], body[k + 1]
            if kinds[prev_zh] == "text" and kinds[next_zh] == "text":
                p_asks = bool(_ASKS.search(text, prev_zh[0], prev_zh[1]))
                n_asks = bool(_ASKS.search(text, next_zh[0], next_zh[1]))
                before += n_asks and not p_asks
                after += p_asks and not n_asks
    return before > after
