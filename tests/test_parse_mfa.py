"""The Foreign Ministry's own layout over its 353 conferences of 2018–2019 (issue 23): a
follow-up (追问：) is a question of its own, never part of an answer, and every 答 names the
spokesperson the title names, titled 外交部发言人 without the page's date."""

import json
import re

import pytest

from qabrief import parse
from qabrief.parse.script import to_simplified

from corpus import BILINGUAL

pytestmark = pytest.mark.skipif(not BILINGUAL.is_file(), reason="needs ../shared/corpus/bilingual")
FOLLOW_UP = re.compile(r"^(?:记者)?(?:追问|又问|再问)[一二三]?[：:]\s*")


def conferences():
    return [json.loads(line) for line in BILINGUAL.read_text(encoding="utf-8").splitlines()]


def test_follow_ups_are_questions_and_answers_name_the_spokesperson():
    follow_ups = answers = 0
    for conference in conferences():
        paras = conference["zh"]["paras"]
        transcript = parse(conference["zh"]["title"] + "\n" + "\n".join(paras))
        chair = re.search(r"发言人(\w{2,3})主持", conference["zh"]["title"]).group(1)
        assert transcript.title == conference["zh"]["title"], conference["date"]
        for segment in transcript.segments:
            for turn in segment.answer:
                for para in paras:
                    if FOLLOW_UP.match(para):
                        assert FOLLOW_UP.sub("", para)[:20] not in turn.text, (conference["date"], para[:30])
                if turn.speaker and turn.speaker.label == "答":
                    answers += 1
                    assert (turn.speaker.name, turn.speaker.title) == (chair, "外交部发言人"), conference["date"]
        asked = {to_simplified(s.question.text[:20]) for s in transcript.segments if s.question}
        for para in paras:
            if FOLLOW_UP.match(para):
                follow_ups += 1
                assert to_simplified(FOLLOW_UP.sub("", para)[:20]) in asked, (conference["date"], para[:30])
    assert follow_ups >= 77 and answers >= 3000
