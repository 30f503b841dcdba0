"""Who asks and who answers when the labels do not say.

Foreign-ministry transcripts label turns only 问/答 (3,027 questions in the 2018–2019
corpus) and a reporter's follow-up 追问 (77 of them). Left alone, a follow-up read as
text ran into the spokesperson's answer — a reporter's words in the official's mouth —
and every answer's card read "答". So:
- a follow-up is a question turn of its own, asked by the last asker (`mark_follow_ups`);
- an unnamed 答 is the spokesperson the page's title names (外交部发言人陆慷主持例行记者会),
  titled as the title says, without the page's date (`name_answers`);
- in such a page a question is one paragraph: an unlabelled paragraph right after a
  reporter's (追问：…, 记者：是的。) is the spokesperson's reply, which the page printed
  without its 答 (31 of the corpus's exchanges), not more of the question (a label family:
  `families/replies.py`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from .script import HAN, to_simplified
from .speakers import ANSWER_WORDS, FOLLOW_UP, looks_like_name
from .transcript import Turn

_DATE = r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)?"
_CHAIRS = re.compile(rf"{_DATE}(?P<title>[^\d\s，。：:、]{{0,12}}?发言人)(?P<name>[{HAN}]{{2,3}})主持")


def mark_follow_ups(turns: list[Turn]) -> list[Turn]:
    """A 追问 turn is asked by whoever asked last (their outlet and name, its own label)."""
    asker = None
    for turn in turns:
        if turn.role != "reporter":
            continue
        if FOLLOW_UP.match(re.sub(r"\s+", "", to_simplified(turn.speaker.label))):
            if asker is not None:
                turn.speaker = replace(asker, label=turn.speaker.label)
        else:
            asker = turn.speaker
    return turns


def chairing_spokesperson(title: str | None, text: str) -> tuple[str, str] | None:
    """(title, name) of the one spokesperson the page's title says chairs the conference."""
    for where in filter(None, (title, text[:300])):
        simp = to_simplified(where)
        shown = where if len(simp) == len(where) else simp  # the page's own script where offsets agree
        found = {(shown[m.start("title"):m.end("title")], shown[m.start("name"):m.end("name")])
                 for m in _CHAIRS.finditer(simp) if looks_like_name(m.group("name"))}
        if len(found) == 1:
            return found.pop()
    return None


def name_answers(title: str | None, text: str, turns: list[Turn]) -> list[Turn]:
    """Give unnamed 答/A turns the chairing spokesperson, when the page names exactly one."""
    chair = None
    for turn in turns:
        sp = turn.speaker
        if sp is None or sp.role != "official" or sp.name or re.sub(r"\s+", "", sp.label) not in ANSWER_WORDS:
            continue
        chair = chair or chairing_spokesperson(title, text) or ("", "")
        if chair[1]:
            turn.speaker = replace(sp, name=chair[1], title=chair[0])
    return turns
