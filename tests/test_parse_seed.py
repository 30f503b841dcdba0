"""The seed transcript: the structure a reader of the brief relies on."""

import re

from qabrief import parse
from qabrief.parse.script import han_chars

ASKERS = ["中央廣播電視總臺央視記者", "界面新聞記者", "封面新聞記者", "香港紫荊雜志記者",
          "香港中評社記者", "紅星新聞記者", "澳門月刊記者"]
ANSWERERS = [["肖亞慶"], ["肖亞慶", "田玉龍"], ["肖亞慶"], ["肖亞慶", "趙志國"], ["肖亞慶"], ["田玉龍"],
             ["肖亞慶", "趙志國"]]


def test_seven_questions_with_their_askers(seed_transcript):
    segs = seed_transcript.segments
    assert len(segs) == 7
    assert [s.question.speaker.label for s in segs] == ASKERS
    assert all(s.question.speaker.role == "reporter" for s in segs)
    assert segs[0].question.speaker.outlet == "中央廣播電視總臺央視"


def test_answering_officials_per_segment(seed_transcript):
    assert [[t.speaker.name for t in s.answer] for s in seed_transcript.segments] == ANSWERERS
    assert all(t.speaker.role == "official" for s in seed_transcript.segments for t in s.answer)


def test_short_names_linked_to_titled_introductions(seed_transcript):
    by_name = {t.speaker.name: t.speaker for s in seed_transcript.segments for t in s.answer}
    assert by_name["田玉龍"].title == "工業和信息化部黨組成員、總工程師、新聞發言人"
    assert by_name["趙志國"].title == "工業和信息化部新聞發言人、信息通信管理局局長"
    # 肖亞慶 is only ever labelled by name; his title comes from the opening prose.
    assert by_name["肖亞慶"].title == "工業和信息化部部長"
    # the later bare `田玉龍:` label (segment 6) carries the title too
    assert seed_transcript.segments[5].answer[0].speaker.label == "田玉龍"
    assert seed_transcript.segments[5].answer[0].speaker.title == by_name["田玉龍"].title


def test_metadata(seed_transcript):
    # the mirror's search-spam keyword (Q355B矩形管) before the headline is dropped (issue 32)
    assert seed_transcript.title == "工信部:推進制造強國網絡強國建設 助力全面建成小康社會"
    assert seed_transcript.date == "2021-09-19T07:27:50"
    assert seed_transcript.source == "www.gkyy120.net"
    assert seed_transcript.script == "traditional"
    assert "點擊次數" not in "".join(t.text for t in seed_transcript.turns)


def test_opening_is_the_introduction(seed_transcript):
    assert len(seed_transcript.opening) == 1
    assert seed_transcript.opening[0].speaker is None
    assert seed_transcript.opening[0].text.startswith("9月13日,在國務院新聞辦")


def test_in_text_colons_are_not_speakers(seed_transcript):
    labels = {t.speaker.label for t in seed_transcript.turns if t.speaker}
    assert labels == set(ASKERS) | {"肖亞慶", "田玉龍", "趙志國", "工業和信息化部黨組成員、總工程師、新聞發言人田玉龍",
                                    "工業和信息化部新聞發言人、信息通信管理局局長趙志國"}
    answer_text = "".join(t.text for s in seed_transcript.segments for t in s.answer)
    for colon_phrase in ["有“三個突破”:一是技術突破", "這里有幾組數據:在新型", "開展一系列的工作: 一是聚焦",
                         "主要有以下幾點成效: 一是", "具體體現以下幾個方面:一是"]:
        assert colon_phrase.replace(" ", "") in answer_text.replace(" ", "")


def test_no_chinese_character_lost_or_duplicated(seed_text, seed_transcript):
    body = seed_text.split("\n", 4)[4]  # title, date, source, view counter
    labels = "".join(seed_transcript.text[a:b] for a, b in seed_transcript.label_spans)
    turns = "".join(t.text for t in seed_transcript.turns)
    assert han_chars(turns) + han_chars(labels) != ""
    # every body character is in exactly one place: a turn's text or a speaker label, in order
    pieces = sorted([(s.start, s.end) for t in seed_transcript.turns for s in t.sentences]
                    + seed_transcript.label_spans)
    rebuilt = "".join(han_chars(seed_transcript.text[a:b]) for a, b in pieces)
    assert rebuilt == han_chars(body)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(pieces, pieces[1:])), "overlapping spans"


def test_sentence_offsets_point_into_the_text(seed_transcript):
    for turn in seed_transcript.turns:
        for s in turn.sentences:
            assert seed_transcript.text[s.start:s.end] == s.text
            assert s.simplified and not re.search("[國們說這]", s.simplified)


def test_parse_accepts_text_as_well_as_path(seed_text, seed_transcript):
    from_text = parse(seed_text)
    assert [s.question.text for s in from_text.segments] == [s.question.text for s in seed_transcript.segments]
