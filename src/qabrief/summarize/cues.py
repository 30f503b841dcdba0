"""Surface cues of Q&A transcripts: questions, courtesies, hand-overs, enumerated points.

All patterns match the Simplified form, so Traditional transcripts need no second list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..parse.script import han_count, to_simplified

_QUESTION_WORDS = re.compile(
    r"如何|什么|哪些|哪个|哪里|哪方面|是否|吗|怎么|怎样|为什么|为何|多少|能否|可否|是不是|有没有|会不会|能不能|何时|请问"
)
_COURTESY = re.compile(
    r"谢谢(你|您|大家|各位)?(的)?(提问|关心|关注)?|感谢(你|您|大家|各位)?(的)?(提问|关心|关注)?|"
    r"我(就|先)?(回答|补充|介绍|说)(这些|这么多|到这里|这几点)|我(作|做)(个|一个|一点)?补充(发言)?|"
    r"我(再)?补充(几点|一下|一点|两点)|好的|大家好|上午好|下午好|女士们|先生们|朋友们|"
    r"我(也|很)?(赞成|同意|赞同)(这个|你的|您的)?(说法|观点|看法)|正如(你|您)刚才(谈到|提到|所说)的"
)
# "刚才肖部长已经谈到了…，我补充几点": announces the speaker's turn rather than saying anything.
_META = re.compile(r"刚才.{0,30}(谈到|讲了|讲到|介绍了|提到|说了).{0,40}我(再|来)?(补充|作个补充|做个补充|讲几点)")
_HANDOVER = re.compile(
    r"(下面|接下来|还是)?(请|由)[\u4e00-\u9fff]{1,6}(同志|部长|局长|主任|司长|先生|女士|发言人)?(来)?(详细|具体|再)?"
    r"(回答|介绍|补充|解答|说明)"
)
_ENUM = re.compile(
    r"^(?:[（(]?(?P<paren>[一二三四五六七八九十]{1,2})[)）]|"
    r"(?P<shi>[一二三四五六七八九十]{1,2})是(?:要)?|"
    r"第(?P<di>[一二三四五六七八九十]{1,2})(?:[，,、:：是条点]|(?![次个批名天年届位季代线时步轮号阶产大把家期份部章节])"
    r"(?=[\u4e00-\u9fff“]))|"
    r"(?P<seq>首先|其次|再次|最后|一方面|另一方面)|"
    r"(?P<arabic>\d{1,2})[.、．](?!\d))"
)
_CN_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_SEQ = {"首先": 1, "一方面": 1, "其次": 2, "另一方面": 2, "再次": 3, "最后": 9}


def is_interrogative(sentence: str) -> bool:
    s = to_simplified(sentence).strip()
    if s.endswith(("？", "?")) or re.search(r"[？?][”’」』）)]*$", s):
        return True
    return bool(_QUESTION_WORDS.search(s)) and han_count(s) >= 4


@lru_cache(maxsize=8192)  # asked of each sentence by the budget's share, the picker and the keywords
def is_courtesy(sentence: str) -> bool:
    """Thanks, greetings, closings and hand-overs: never worth a reader's time."""
    s = to_simplified(sentence)
    if _HANDOVER.search(s) or _META.search(s):
        return True
    rest = _COURTESY.sub("", s)
    return han_count(rest) < 4


def enumeration_number(sentence: str) -> int | None:
    """The point number when the sentence opens an enumerated point (一是…, 第二…, 首先…)."""
    marker = enumeration_marker(sentence)
    return marker[1] if marker else None


def enumeration_marker(sentence: str) -> tuple[str, int] | None:
    """(marker family, point number) when the sentence opens an enumerated point."""
    s = to_simplified(sentence).lstrip(" \u3000“\"")
    # "下一步，一是要…" or "…有“三个突破”:一是…": a lead-in clause before the marker.
    lead_in = re.match(r"^(?:[^，,。：:]{1,8}[，,]|[^。：:]{1,40}[：:])\s*", s)
    for text in (s, s[lead_in.end():] if lead_in else None):
        if not text:
            continue
        m = _ENUM.match(text)
        if not m:
            continue
        for group in ("paren", "shi", "di"):
            if m.group(group):
                return group, _cn_number(m.group(group))
        if m.group("seq"):
            family = "side" if "方面" in m.group("seq") else "seq"
            return family, _SEQ[m.group("seq")]
        if m.group("arabic"):
            return "arabic", int(m.group("arabic"))
    return None


def _cn_number(text: str) -> int:
    if len(text) == 1:
        return _CN_NUM[text]
    if text[0] == "十":
        return 10 + _CN_NUM[text[1]]
    return _CN_NUM[text[0]] * 10 + (_CN_NUM[text[1]] if text[1] != "十" else 0)


def enumerated_points(sentences: list[str]) -> list[tuple[int, int] | None]:
    """For each sentence, (enumeration group, point number) or None when outside any point.

    A point runs from its marker to the next marker; a number that does not go up starts
    a new enumeration (an answer can hold several lists).
    """
    out: list[tuple[int, int] | None] = []
    group, current, last, family = -1, None, 0, None
    for s in sentences:
        marker = enumeration_marker(s)
        if marker is not None:
            kind, n = marker
            if family is not None and kind != family:
                pass  # 首先…/一方面… inside 一是…: a sub-point of the current point
            else:
                if family is None or n <= last:
                    group += 1
                family, last = kind, n
                current = (group, n)
        out.append(current)
    return out


# "主要从点、线、面、系统四个方向", "有“三个突破”：", "这里有几组数据：", "重点做好以下三个方面的工作："
_ANNOUNCES = re.compile(r"以下|如下|几组|几点|几个|几方面|[两二三四五六七八九十](?:个|大|方面)")


def overviews(sentences: list[str]) -> list[bool]:
    """For each sentence, whether it announces an enumeration: a count or 以下/几点 with the
    first point in it or in the next two sentences, or 以下…/几组…: before a colon."""
    starts = [enumeration_number(s) == 1 for s in sentences]  # the enumeration it announces begins
    out = []
    for i, s in enumerate(sentences):
        simple = to_simplified(s)
        out.append(bool(_ANNOUNCES.search(simple)) and any(starts[i:i + 3]) or
                   bool(re.search(r"(以下|如下|几组|几点)[^。]{0,12}[：:]", simple)))
    return out
