"""Two documents, one brief (issue 34, part 2): what kept answer sentences from their official
English when the Chinese transcript and the English page were paired, each on a small
made-up pair of documents. Each test failed before its rule (the sentences named were
linked below CONFIDENT, so they showed machine English) and passes with it."""

from qabrief import parse
from qabrief.fidelity import Glossary
from qabrief.official import CONFIDENT, align, links_for, read_english
from qabrief.official.align import lattice, viterbi
from qabrief.official.documents import chinese_paragraphs, windows

TITLE_ZH = "外交部发言人例行记者会\n"
TITLE_EN = "Foreign Ministry Spokesperson's Regular Press Conference\n"


def shown(zh: str, en: str) -> dict[str, str]:
    """Chinese sentence → the official English shown for it (links at CONFIDENT or above)."""
    transcript = parse(TITLE_ZH + zh)
    official = links_for(transcript.text, transcript.turns, read_english(TITLE_EN + en), Glossary.load())
    return {transcript.turns[lk.turn].sentences[lk.sentences[0]].text: lk.english
            for lk in official.links if lk.confidence >= CONFIDENT}


def test_a_rule_of_asterisks_only_the_chinese_page_has_takes_no_paragraph():
    """The ministry closes some transcripts with a rule of asterisks and a notice; the English
    page drops the rule. As a paragraph of its own it made the notice's pairing a doubtful
    2-1, and the answer before it doubtful too (0.41 and 0.61 before)."""
    zh = ("问：中方对此有何评论？\n答：我们注意到有关报道。中方一贯主张通过对话协商解决分歧。\n*****\n"
          "根据假期安排，外交部例行记者会将于5月1日至3日休会，5月6日恢复。\n休会期间，发言人办公室将照常接受传真或电子邮件提问。")
    en = ("Q: What is your comment?\nA: We have noted the relevant reports. China always stands for resolving "
          "differences through dialogue and consultation.\nAccording to the holiday schedule, the regular press "
          "conference will be adjourned from May 1 to 3 and resume on May 6.\nDuring the adjournment, you can fax "
          "or email questions to the spokesperson's office as usual.")
    transcript = parse(TITLE_ZH + zh)
    paragraphs = chinese_paragraphs(transcript.text, transcript.turns)
    assert not any("*" in text for p in paragraphs for text in p.texts)
    assert len(paragraphs) == 4  # the question, the answer, the notice's two lines
    links = shown(zh, en)
    assert links["我们注意到有关报道。"] == "We have noted the relevant reports."
    assert links["根据假期安排，外交部例行记者会将于5月1日至3日休会，5月6日恢复。"].startswith("According to the holiday")
    assert links["休会期间，发言人办公室将照常接受传真或电子邮件提问。"].startswith("During the adjournment")


LONG_ZH = ["中方一贯主张通过对话协商解决分歧。",
           "两国四十多年前就建立了外交关系，此后在经贸、科技、人文等广泛领域开展了互利合作，"
           "如今却有人无端阻挠其他主权国家同中国开展正常往来，这是霸权思维。"]
LONG_EN = ["China always stands for resolving differences through dialogue and consultation.",
           "The two countries established diplomatic relations more than four decades ago and have since conducted "
           "mutually beneficial cooperation in trade, science and technology and people-to-people exchanges.",
           "Now some people are obstructing other sovereign countries' normal exchanges with China without any reason.",
           "This is hegemonic thinking."]


def test_within_a_pair_of_paragraphs_english_after_the_last_chinese_sentence_is_not_a_cut_off_page():
    """A sentence after the other language has ended is cheap where a page may be cut off in one
    language (a bilingual page); two paragraphs paired are whole, so there the last English
    sentence is no cheaper than any other and the 1-3 link it belongs to is confident
    (0.65 before, below CONFIDENT)."""
    glossary = Glossary.load()
    links = align(LONG_ZH, LONG_EN, glossary, 4.2, whole=True)
    assert [(lk.zh, lk.en) for lk in links] == [((0,), (0,)), ((1,), (1, 2, 3))]
    assert min(lk.confidence for lk in links) >= CONFIDENT
    cut_off = align(LONG_ZH, LONG_EN, glossary, 4.2)  # a bilingual page's turn: unchanged, still doubtful
    assert [(lk.zh, lk.en) for lk in cut_off] == [((0,), (0,)), ((1,), (1, 2, 3))]
    assert cut_off[1].confidence < CONFIDENT
    # through the two-document path
    zh = "问：中方对此有何评论？\n答：" + "".join(LONG_ZH) + "\n问：请介绍一下有关情况。\n答：我们会及时发布消息。"
    en = ("Q: What is your comment?\nA: " + " ".join(LONG_EN) + "\nQ: Could you give us more details?\n"
          "A: We will release information in due course.")
    assert shown(zh, en)[LONG_ZH[1]] == " ".join(LONG_EN[1:])


def test_a_paragraph_the_english_page_splits_in_two_keeps_its_sentences_linked():
    """The English page splits an answer's paragraph in two. Whether that is a 1-2 pairing or
    a 1-1 and an English paragraph of its own was in doubt (0.61), and every sentence of the
    answer was capped there. Both readings start and end at the same points, so its sentences
    are aligned between those points and capped by their posterior instead."""
    zh = ("问：中方对此有何评论？\n答：我们注意到有关报道。中方一贯主张通过对话协商解决分歧，反对动辄使用制裁或以制裁相威胁。"
          "我们希望有关各方保持冷静克制，多做有利于地区和平稳定的事。\n问：请介绍一下有关情况。\n答：我们会及时发布消息。")
    en = ("Q: What is your comment?\nA: We have noted the relevant reports.\nChina always stands for resolving "
          "differences through dialogue and consultation, and opposes the frequent use of sanctions or threats of "
          "sanctions. We hope all parties concerned will stay calm, exercise restraint and do more things conducive "
          "to regional peace and stability.\nQ: Could you give us more details?\n"
          "A: We will release information in due course.")
    links = shown(zh, en)
    assert links["我们注意到有关报道。"] == "We have noted the relevant reports."
    assert links["中方一贯主张通过对话协商解决分歧，反对动辄使用制裁或以制裁相威胁。"].startswith("China always stands")
    assert links["我们希望有关各方保持冷静克制，多做有利于地区和平稳定的事。"].startswith("We hope all parties")


class _Beads:
    """Three items a side, scored by a table: (i, j, di, dj) → cost (missing: forbidden)."""

    def __init__(self, costs):
        self.n = self.m = 3
        self.costs = costs

    def bead(self, i, j, di, dj, ratio):
        return self.costs.get((i, j, di, dj), 50.0)


def test_the_points_every_likely_alignment_passes_through_bound_a_run_of_doubtful_links():
    # 1-1, then a doubt between 1-1 + 1-1 and 2-2 (equally likely), ending at (3, 3) either way
    f = _Beads({(1, 1, 1, 1): 0.1, (2, 2, 1, 1): 1.0, (3, 3, 1, 1): 1.0, (3, 3, 2, 2): 2.0})
    links, through = lattice(f, 1.0, {(1, 1): 1, (2, 2): 1})
    assert links == viterbi(f, 1.0, {(1, 1): 1, (2, 2): 1})
    assert through[0] > 0.99 and through[-1] == 1.0  # the first point and the end are sure
    assert all(lk.confidence < CONFIDENT for lk in links[1:])  # the beads between them are not
    runs = windows(links, through)
    assert [[lk.zh for lk in run] for run, _ in runs] == [[(0,)], [(1,), (2,)]]
    assert runs[1][1] >= CONFIDENT  # the run's sentences may still be linked with confidence
    assert runs[0][1] == max(links[0].confidence, through[0])


def test_a_stage_note_only_the_chinese_page_has_is_rendered_by_nothing():
    """（记者笑）: the Chinese page notes the room's laughter, the English rarely does. Once two
    paired paragraphs are whole (the test above), a note ending one could no longer be left
    over cheaply and joined the sentence before it in a 2-1 link: the note "rendered with the
    previous sentence". A bracketed note is left out like a courtesy."""
    zh = ["我没有听说你提到的情况。", "你可以向主管部门询问。", "（记者笑）"]
    en = ["I am not aware of what you mentioned.", "You may ask the competent authorities."]
    links = align(zh, en, Glossary.load(), 4.2, whole=True)
    assert [(lk.zh, lk.en) for lk in links] == [((0,), (0,)), ((1,), (1,)), ((2,), ())]
    assert links[1].confidence >= CONFIDENT
