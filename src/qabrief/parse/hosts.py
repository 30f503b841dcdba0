"""Who hosts the conference: a role of its own, whatever the label says.

The host opens the conference, gives the floor and closes it: `主持人`, or a spokesperson
who opens with announcements before taking questions. Their words are the opening (or the
close), never an answer to a question.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .script import to_simplified
from .speakers import identity
from .transcript import Speaker, Turn

_GREETING = re.compile(r"大家(?:上午|中午|下午|晚上)?好|上午好|下午好|晚上好|早晨|早上好|女士们|先生们|朋友们|欢迎各位"
                       r"|现在(?:就)?开始")
_GIVES_FLOOR = re.compile(r"(?:请|开始)(?:大家|各位)?(?:记者)?(?:朋友)?提问|到此结束|现在开始|欢迎.{0,30}提出问题"
                          r"|下面(?:我们)?(?:先)?请.{0,12}(?:讲|回答|介绍|发言)")


_CLOSES = re.compile(r"(?:记者会|发布会|吹风会|见面会)(?:就)?(?:到此)?结束|到此结束")


def mark_closings(turns: list[Turn]) -> list[Turn]:
    """A labelled turn that opens by closing the conference ("在今天的记者会结束前…",
    "今天的发布会到此结束") is the host's, even from the official who just answered: it is
    kept apart from that answer rather than merged into it."""
    for turn in turns:
        if turn.speaker and turn.speaker.role == "official" and turn.sentences \
                and _CLOSES.search(to_simplified(turn.sentences[0].text)):
            turn.speaker = replace(turn.speaker, role="host")
    return turns


def mark_hosts(text: str, turns: list[Turn]) -> list[Turn]:
    """Who opens the conference is its host, whatever the label: before the first question,
    an official who greets the room when no 主持人 has spoken (and a question or another
    official follows), or who gives the floor
    (请提问, 下面就请提问), speaks as host. Their announcements are the opening, not answers."""
    first_question = next((i for i, t in enumerate(turns) if t.role == "reporter"), len(turns))
    if first_question and first_question < len(turns) and turns[first_question - 1].speaker is None:
        turns[first_question - 1:first_question] = split_unlabelled_host(text, turns[first_question - 1])
        first_question = next(i for i, t in enumerate(turns) if t.role == "reporter")
    has_host = any(t.role == "host" for t in turns[:first_question])
    for k, turn in enumerate(turns[:first_question]):
        if turn.role != "official" or not turn.sentences:
            continue
        # a greeting official with neither a question nor another official after them is
        # making a statement (a minister's opening, cut before the questions), not hosting
        hands_over = first_question < len(turns) or any(
            t.role == "official" and identity(t.speaker) != identity(turn.speaker) for t in turns[k + 1:])
        greets = not has_host and hands_over and _GREETING.search(to_simplified(turn.sentences[0].text))
        closing = "".join(s.text for s in turn.sentences[-2:])  # the last may be a bare "[10:32]"
        if greets or _GIVES_FLOOR.search(to_simplified(closing)):
            turn.speaker = replace(turn.speaker, role="host")
            has_host = True
    return turns


def split_unlabelled_host(text: str, turn: Turn) -> list[Turn]:
    """The unlabelled block before the first question often ends with the host's unlabelled
    words ("…下面欢迎记者朋友们提出问题。"): that last paragraph, when it gives the floor, is the
    host's turn; what comes before it (headline, page lead) stays unlabelled."""
    if not turn.sentences:
        return [turn]
    para_start = text.rfind("\n", turn.start, turn.sentences[-1].start) + 1 or turn.start
    spoken = [s for s in turn.sentences if s.start >= para_start]
    if not spoken or not _GIVES_FLOOR.search(to_simplified("".join(s.text for s in spoken))):
        return [turn]
    host = Turn(speaker=Speaker(label="", role="host"), sentences=spoken, start=spoken[0].start, end=turn.end)
    before = [s for s in turn.sentences if s.start < para_start]
    if not before:
        return [host]
    return [Turn(speaker=None, sentences=before, start=turn.start, end=para_start, reference=turn.reference), host]
