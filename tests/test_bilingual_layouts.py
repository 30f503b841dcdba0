"""Bilingual pages (issue 34, part 1): each layout's English attached to the turn it renders,
never counted as its Chinese, and aligned sentence by sentence into official English.

The shared bilingual transcripts are checked turn by turn against tests/data/bilingual_layouts
(one test per layout); small pages written here (made-up text, one fixed set of sentence
pairs laid out in each layout) cover the layouts and edge cases the corpus lacks: English
above its Chinese with English labels only, an English block after a whole turn, Traditional
script, turns without English, English with its spaces stripped, a narrative "… said:".
"""

import re

import pytest

from bilingual_gold import answer_sentences, names, page, score
from qabrief import parse
from qabrief.brief import all_turns, chinese_brief
from qabrief.parse.mirror import repair_mirror_artefacts
from qabrief.parse.script import to_simplified

# made-up sentence pairs: (Chinese, English), one list per turn (the first answer has two paragraphs)
Q1 = [("请问中方对本周举行的东盟外长会议有何期待？",
       "What does China expect from the ASEAN foreign ministers' meeting this week?")]
A1 = [[("东盟是中国的重要合作伙伴。", "ASEAN is an important partner of China."),
       ("今年是中国同东盟建立对话关系30周年。",
        "This year marks the 30th anniversary of the dialogue relations between China and ASEAN.")],
      [("我们愿同各方一道，推动会议取得积极成果。",
        "We are ready to work with all parties for positive outcomes at the meeting.")]]
Q2 = [("据报道，某国将于下月举行大规模军事演习。",
       "It is reported that a certain country will hold large-scale military exercises next month."),
      ("中方对此有何评论？", "What is China's comment?")]
A2 = [("我们注意到有关报道。", "We have noted the reports."),
      ("我们希望有关各方多做有利于地区和平稳定的事。",
       "We hope the parties concerned will do more things conducive to regional peace and stability.")]
PAIRS = {zh: en for zh, en in Q1 + A1[0] + A1[1] + Q2 + A2}
TITLE = "2031年5月6日外交部发言人主持例行记者会"


def zh(pairs) -> str:
    return "".join(z for z, _ in pairs)


def en(pairs) -> str:
    return " ".join(e for _, e in pairs)


def brief_of(text: str):
    transcript = parse(text)
    return transcript, chinese_brief(transcript)


def assert_official_right(transcript, brief, unlinked: tuple[str, ...] = ()):
    """Every sentence shows official English, marked official, and it is the English its
    Chinese was written with; the sentences of `unlinked` (their page prints no English) show
    none. No turn counts English as Chinese."""
    for turn, parsed in zip(all_turns(brief), transcript.turns):
        assert not re.search(r"[A-Za-z]{3}", parsed.text), parsed.text
        for sentence in turn.sentences:
            key = to_simplified(sentence.zh)
            if key in unlinked:
                assert sentence.en_source != "official" and not (sentence.official or {}).get("shown")
                continue
            assert sentence.en_source == "official" and sentence.official["shown"], sentence.zh
            assert sentence.en == PAIRS[key]


def references(transcript) -> list[tuple[str | None, str]]:
    return [(t.role, t.reference) for t in transcript.turns]


@pytest.mark.parametrize("name", names())
def test_shared_bilingual_layout(name):
    """A shared bilingual page, as stored: every annotated turn found with its speaker and the
    English that renders it (or none), no English on another turn or among the Chinese, and
    the answer sentences the page prints English for shown with it, right (the hand links of
    tests/data/alignment)."""
    transcript = parse(page(name))
    result = score(name, transcript)
    for check in result.checks:
        assert check.found is not None, check.want
        assert check.speaker_right, (check.want, check.found.speaker)
        assert check.english_right, (check.want, check.found.reference[:80])
    assert result.stray == [] and result.english_as_chinese == []
    answers = answer_sentences(name, transcript)
    assert answers.shown == answers.shown_right == answers.printed


def test_english_paragraph_after_each_chinese_one_and_a_turn_without():
    """English after each Chinese paragraph, labels in both languages, a continuation
    paragraph with its own English, the last answer printed without English; the English
    headline under the title is no turn's English."""
    text = "\n".join([TITLE, "Foreign Ministry Spokesperson's Regular Press Conference on May 6, 2031",
                      "新华社记者：" + zh(Q1), "Xinhua News Agency: " + en(Q1),
                      "王毅：" + zh(A1[0]), "Wang Yi: " + en(A1[0]), zh(A1[1]), en(A1[1]),
                      "路透社记者：" + zh(Q2), "Reuters: " + en(Q2),
                      "王毅：" + zh(A2)])
    transcript, brief = brief_of(text)
    assert references(transcript) == [("reporter", en(Q1)), ("official", en(A1[0]) + "\n" + en(A1[1])),
                                       ("reporter", en(Q2)), ("official", "")]
    assert [t.label_en for t in transcript.turns] == ["Xinhua News Agency", "Wang Yi", "Reuters", ""]
    assert_official_right(transcript, brief, unlinked=tuple(z for z, _ in A2))


def test_english_block_after_a_whole_turn():
    """The answer's two Chinese paragraphs, then its two English paragraphs."""
    text = "\n".join([TITLE, "新华社记者：" + zh(Q1), "Xinhua News Agency: " + en(Q1),
                      "王毅：" + zh(A1[0]), zh(A1[1]), "Wang Yi: " + en(A1[0]), en(A1[1]),
                      "路透社记者：" + zh(Q2), "Reuters: " + en(Q2), "王毅：" + zh(A2), "Wang Yi: " + en(A2)])
    transcript, brief = brief_of(text)
    assert references(transcript) == [("reporter", en(Q1)), ("official", en(A1[0]) + "\n" + en(A1[1])),
                                       ("reporter", en(Q2)), ("official", en(A2))]
    assert_official_right(transcript, brief)


def test_english_printed_before_its_chinese():
    """Each English paragraph above the Chinese it renders, both labelled: the English goes
    down to the turn below it, not up to the one before (nor to the title above the first)."""
    text = "\n".join([TITLE, "Xinhua News Agency: " + en(Q1), "新华社记者：" + zh(Q1),
                      "Wang Yi: " + en(A1[0]), "王毅：" + zh(A1[0]), en(A1[1]), zh(A1[1]),
                      "Reuters: " + en(Q2), "路透社记者：" + zh(Q2), "Wang Yi: " + en(A2), "王毅：" + zh(A2)])
    transcript, brief = brief_of(text)
    assert references(transcript) == [("reporter", en(Q1)), ("official", en(A1[0]) + "\n" + en(A1[1])),
                                       ("reporter", en(Q2)), ("official", en(A2))]
    assert [t.label_en for t in transcript.turns] == ["Xinhua News Agency", "Wang Yi", "Reuters", "Wang Yi"]
    assert_official_right(transcript, brief)


@pytest.mark.parametrize("english_first", [False, True], ids=["chinese-first", "english-first"])
def test_english_labels_instead_of_chinese_ones(english_first):
    """Only the English is labelled (`Reporter from Xinhua News Agency:`, `Wang Yi:`,
    `Reuters:`): the labels start the turns, with the unlabelled Chinese printed before
    (or after) each, and say who asks and who answers."""
    blocks = [("Reporter from Xinhua News Agency: " + en(Q1), zh(Q1)), ("Wang Yi: " + en(A1[0]), zh(A1[0])),
              ("Reuters: " + en(Q2), zh(Q2)), ("Wang Yi: " + en(A2), zh(A2))]
    lines = [TITLE] + [line for english, chinese in blocks
                       for line in ((english, chinese) if english_first else (chinese, english))]
    transcript, brief = brief_of("\n".join(lines))
    assert [(t.speaker.label, t.role) for t in transcript.turns] == [
        ("Reporter from Xinhua News Agency", "reporter"), ("Wang Yi", "official"),
        ("Reuters", "reporter"), ("Wang Yi", "official")]
    assert [t.text for t in transcript.turns] == [zh(Q1), zh(A1[0]), zh(Q2), zh(A2)]
    assert references(transcript) == [("reporter", en(Q1)), ("official", en(A1[0])),
                                       ("reporter", en(Q2)), ("official", en(A2))]
    assert_official_right(transcript, brief)


def test_english_after_a_pipe_on_the_same_line_and_a_turn_without():
    """One line a turn, `Chinese | English |`; a question printed without its English keeps
    no separator among its Chinese."""
    text = "\n".join([TITLE, f"新华社记者: {zh(Q1)} | Xinhua News Agency: {en(Q1)} |",
                      f"王毅: {zh(A1[0])} | Wang Yi: {en(A1[0])} |", f"路透社记者: {zh(Q2)} |",
                      f"王毅: {zh(A2)} | Wang Yi: {en(A2)} |"])
    transcript, brief = brief_of(text)
    assert references(transcript) == [("reporter", en(Q1)), ("official", en(A1[0])),
                                       ("reporter", ""), ("official", en(A2))]
    assert transcript.turns[2].text == zh(Q2)
    assert_official_right(transcript, brief, unlinked=tuple(z for z, _ in Q2))


TRADITIONAL = {"請問中方對本週舉行的東盟外長會議有何期待？": Q1,
               "東盟是中國的重要合作夥伴。今年是中國同東盟建立對話關係30週年。": A1[0],
               "據報道，某國將於下月舉行大規模軍事演習。中方對此有何評論？": Q2,
               "我們注意到有關報道。我們希望有關各方多做有利於地區和平穩定的事。": A2}
# how each layout prints one turn: (Chinese label, English label, the turn's Chinese, its English) → lines
TRADITIONAL_LAYOUTS = {
    "問：/Q: on the next line": lambda z, e, chinese, english: [f"{z}：{chinese}", f"{e}: {english}"],
    "問：/Question: on the next line": lambda z, e, chinese, english: [
        f"{z}：{chinese}", f"{'Question' if e == 'Q' else 'Answer'}: {english}"],
    "unlabelled Chinese, Q without a colon": lambda z, e, chinese, english: [chinese, f"{e} {english}"],
    "unlabelled Chinese, Question:": lambda z, e, chinese, english: [
        chinese, f"{'Question' if e == 'Q' else 'Answer'}: {english}"],
    "問：… Q: … on one line": lambda z, e, chinese, english: [f"{z}：{chinese} {e}: {english}"],
    "問：… Q：… on one line, full-width colons": lambda z, e, chinese, english: [f"{z}：{chinese} {e}：{english}"],
}


@pytest.mark.parametrize("layout", list(TRADITIONAL_LAYOUTS))
def test_traditional_script_q_and_a(layout):
    """A Traditional-script Q/A page in the layouts such pages use: English labels beside
    the Chinese ones join the Chinese turn (they start none), English labels alone start the
    turns, English on the same line after the Chinese goes to its turn."""
    lines = ["2031年5月6日外交部發言人例行記者會"]
    for k, (chinese, pairs) in enumerate(TRADITIONAL.items()):
        lines += TRADITIONAL_LAYOUTS[layout]("問" if k % 2 == 0 else "答", "Q" if k % 2 == 0 else "A", chinese, en(pairs))
    transcript, brief = brief_of("\n".join(lines))
    assert transcript.script == "traditional"
    assert [t.text for t in transcript.turns] == list(TRADITIONAL)
    assert references(transcript) == [("reporter", en(Q1)), ("official", en(A1[0])),
                                       ("reporter", en(Q2)), ("official", en(A2))]
    assert [t.label_en[0] for t in transcript.turns] == ["Q", "A", "Q", "A"]
    assert_official_right(transcript, brief)


def test_english_with_its_spaces_stripped_still_splits_into_sentences():
    """`【王毅】` alone on its line, the Chinese, then `WangYi:Wehavenoted….Wehope…` as a page
    that strips spaces prints it: each English sentence still renders its Chinese one."""
    text = "\n".join(["2031年全国人大会议记者会", "【新华社记者】", zh(Q2), "Xinhua:" + en(Q2).replace(" ", ""),
                      "【王毅】", zh(A2), "WangYi:" + en(A2).replace(" ", "")])
    transcript, brief = brief_of(text)
    assert [t.label_en for t in transcript.turns] == ["Xinhua", "WangYi"]
    shown = [s.en for turn in all_turns(brief) for s in turn.sentences if s.en_source == "official"]
    assert shown == [e.replace(" ", "") for _, e in Q2 + A2]


def test_a_narrative_said_is_the_pages_not_the_speakers():
    """`At the beginning…, Foreign Minister Wang Yi said: We are ready…` above `[外交部长 王毅]…`
    (English first, Chinese labels in brackets): the turn's English is the speech alone."""
    text = "\n".join(["2031年全国人大会议记者会",
                      "At the beginning of the press conference, Foreign Minister Wang Yi said: " + en(A1[1]),
                      "[外交部长 王毅]" + zh(A1[1]), "Reuters: " + en(Q2), "[路透社记者]" + zh(Q2),
                      "Wang Yi: " + en(A2), "[外交部长 王毅]" + zh(A2)])
    transcript, brief = brief_of(text)
    assert [t.reference for t in transcript.turns] == [en(A1[1]), en(Q2), en(A2)]
    assert_official_right(transcript, brief)


def test_a_mirror_gloss_whose_bracket_became_a_question_mark():
    """`日?qǐng)?bào)記者:` on a mirror: the broken glosses go (their syllables carry tone marks),
    so the label is read; a question mark in prose before plain letters stays."""
    assert repair_mirror_artefacts("中國(guó)日?qǐng)?bào)記者: 總理,您好。")[0] == "中國日記者: 總理,您好。"
    assert repair_mirror_artefacts("你好?abc) 是嗎?")[0] == "你好?abc) 是嗎?"
