"""One test per label family of issue 13, each on a real transcript of the corpus: as stored
where the corpus holds that layout, else re-laid into it (each test says which). The
expected turns are the hand-written ones in tests/data/parse_corpus/."""

import re

from qabrief import parse
from qabrief.parse.names import pinyin_name

from corpus import TRANSCRIPTS, expected_turns, score_turns, transcript_text


def text_of(prefix: str) -> tuple[str, str]:
    path = next(TRANSCRIPTS.glob(f"{prefix}_*.txt"))
    return path.stem, transcript_text(path)


def assert_all_turns(name: str, transcript, roles: float = 1.0):
    score = score_turns(name, transcript)
    assert score.missed == [] and score.matched == score.expected == score.predicted
    assert score.role_accuracy >= roles
    return score


def test_family1_labels_without_colon_as_stored():
    """Corpus 10 (as stored): English `Q …` / `A …` labels with no colon, Chinese questions
    printed before their English."""
    name, text = text_of("10")
    transcript = parse(text)
    questions = [t for t in transcript.turns if t.speaker and t.speaker.label == "Q"]
    answers = [t for t in transcript.turns if t.speaker and t.speaker.label == "A"]
    assert [t.role for t in questions] == ["reporter"] * 2 and [t.role for t in answers] == ["official"] * 2
    assert questions[0].reference.startswith("Iranian military admitted")
    assert questions[1].text.startswith("我们注意到") and questions[1].reference.startswith("The Ministry of Foreign")
    assert answers[1].reference.startswith("First I would like to thank you")


def test_family1_labels_without_colon_relaid():
    """Corpus 04 re-laid: `新华社 记者 请问…` / `Xinhua News Agency Can you…` / `汪文斌金砖机制…` /
    `Wang Wenbin The BRICS…`, every colon after a label removed in both languages."""
    name, text = text_of("04")
    relaid = text.replace("新华社记者:", "新华社 记者 ").replace("汪文斌:", "汪文斌")
    relaid = relaid.replace("Xinhua News Agency: ", "Xinhua News Agency ").replace("Wang Wenbin: ", "Wang Wenbin ")
    assert relaid.count(":") < text.count(":") - 3
    original, transcript = parse(text), parse(relaid)
    assert [(t.role, t.speaker.name if t.speaker else None) for t in transcript.turns] == \
        [(t.role, t.speaker.name if t.speaker else None) for t in original.turns]
    assert [t.reference for t in transcript.turns] == [t.reference for t in original.turns]
    assert transcript.turns[1].reference.startswith("Can you tell us") and "Xinhua" not in transcript.turns[1].reference
    assert transcript.turns[2].reference.startswith("The BRICS mechanism")
    # the unlabelled announcements before the first question are not given a speaker (2 of 3 roles)
    assert_all_turns(name, transcript, roles=2 / 3)


def test_family2_inline_bilingual_as_stored_and_on_one_line():
    """Corpus 15 (as stored): Chinese then English on the same line; then all of it re-laid on
    ONE line (question, its English, answer, its English), as some pages print it."""
    name, text = text_of("15")
    stored = parse(text)
    assert_all_turns(name, stored)
    reporter, official = [t for t in stored.turns if t.speaker]
    assert reporter.reference.startswith("Last year China took") and "Reuters" not in reporter.reference
    assert official.reference.startswith("You went straight to the point")
    assert not re.search("[A-Za-z]{3}", reporter.text + official.text)  # no English among the Chinese
    body = text[text.index("路透社記者"):]
    one_line = text[:text.index("路透社記者")] + " ".join(line.strip() for line in body.splitlines() if line.strip())
    relaid = parse(one_line)
    assert [(t.role, t.speaker.label) for t in relaid.turns if t.speaker] == [("reporter", "路透社記者"),
                                                                              ("official", "李克強")]
    assert [t.reference[:40] for t in relaid.turns if t.speaker] == [reporter.reference[:40],
                                                                      official.reference[:40]]
    assert len(relaid.segments) == 1 and relaid.segments[0].answer[0].speaker.label == "李克強"


def test_family3_label_line_english_label_line_paragraphs_relaid():
    """Corpus 30 re-laid as bilingual: the full-title label alone on its line, its English label
    on the next, a Chinese paragraph, an English paragraph; an image file name before the host."""
    name, text = text_of("30")
    lines = text.split("\n")
    out = []
    for line in lines:
        label = re.match(r"^(.+?(?:张竞怡|张育奎)):$", line.strip())
        if label:
            who = "张竞怡" if "张竞怡" in line else "张育奎"
            if who == "张竞怡":
                out.append("W020190320375529146589_large.jpg")
            out += [line, f"{pinyin_name(who)}:"]
            continue
        out.append(line)
        if line.startswith(("女士们", "新闻界的朋友们")):
            out.append("Ladies and gentlemen, friends from the press, good morning and welcome.")
    transcript = parse("\n".join(out))
    assert_all_turns(name, transcript)
    host, official = [t for t in transcript.turns if t.speaker]
    assert host.role == "host" and host.speaker.name == "张竞怡" and host.text.startswith("女士们")
    assert "jpg" not in host.text + host.reference
    assert host.reference == "Ladies and gentlemen, friends from the press, good morning and welcome."
    assert official.speaker.title.endswith("新闻发言人")


def test_family4_role_space_name_own_line_with_timestamps_as_stored():
    """Corpus 26 (as stored): `主持人 胡凯红:` on its own line, bare timestamp lines between turns,
    the minister's label repeated after each timestamp."""
    name, text = text_of("26")
    transcript = parse(text)
    assert_all_turns(name, transcript)
    host = transcript.turns[1]
    assert host.speaker.role == "host" and host.speaker.name == "胡凯红"
    assert not any(re.fullmatch(r"[\d\-: ]+", s.text.strip()) for t in transcript.turns for s in t.sentences)


def test_family4_mirror_artefacts_in_labels_and_text_as_stored():
    """Corpus 29 (as stored): toneless pinyin glosses 們(men) everywhere, labels included."""
    name, text = text_of("29")
    transcript = parse(text)
    assert_all_turns(name, transcript)
    assert "(men)" not in transcript.text and "女士們 、先生們" in transcript.text


def test_family5_bracket_labels_on_their_own_line_relaid():
    """Corpus 08 re-laid as live text: `[傅莹]:` alone on its line, the words on the next line,
    a `[10:29]` time appended to paragraphs."""
    name, text = text_of("08")
    out = []
    for line in text.split("\n"):
        m = re.match(r"^(\[[^\]]+\]|主持人|傅莹):(.*)$", line)
        if m:
            label = m.group(1) if m.group(1).startswith("[") else f"[{m.group(1)}]"
            out += [f"{label}:", m.group(2)]
        else:
            out.append(line)
    transcript = parse("\n".join(out))
    assert_all_turns(name, transcript)
    assert [t.speaker.label for t in transcript.turns if t.speaker][:2] == ["主持人", "傅莹"]


def test_family6_the_host_is_a_role_of_its_own():
    """The spokesperson who opens with announcements (corpus 09, 21), the unlabelled paragraph
    that gives the floor (corpus 19), the official who closes the conference (corpus 02)."""
    for prefix in ("09", "21", "19", "02", "08", "13"):
        name, text = text_of(prefix)
        transcript = parse(text)
        assert_all_turns(name, transcript)
        hosts = [t for t in transcript.turns if t.role == "host"]
        assert len(hosts) == sum(e["role"] == "host" for e in expected_turns(name))
        # the host's words are the opening (or the close after the last answer), never an answer
        assert all(t.role != "host" for seg in transcript.segments[:-1] for t in seg.answer)


def test_bilingual_transcripts_keep_their_official_english_in_order():
    """Every bilingual layout of the corpus: English as a paragraph after (04, 23), alone on the
    line after with its own label (16), inline after the Chinese (15), after a pipe (17)."""
    english_words = re.compile(r"(?:[A-Za-z]+[ ,.]+){4}")
    for prefix, first_english in (("04", "Can you tell us"), ("23", "President Xi Jinping"),
                                  ("16", "BothChinaandRussia"), ("15", "Last year China"),
                                  ("17", "I have a question on foreign policy")):
        name, text = text_of(prefix)
        turns = [t for t in parse(text).turns if t.speaker and t.sentences]
        assert turns[0].reference.startswith(first_english), name
        for turn in turns:
            assert not re.search("[\u4e00-\u9fff]", turn.reference), name
            assert not english_words.search("".join(s.text for s in turn.sentences)), name
        with_english = [t for t in turns if t.reference]
        # in order: each English rendering sits in the text after its own Chinese
        positions = [text.find(t.reference[:30]) for t in with_english]
        assert positions == sorted(positions) and -1 not in positions, name


# The registry (issue 26): each family is `find(page, earlier) -> (events, label spans)` in
# qabrief.parse.families, reading the page and the events of the families before it.

def page_of(text: str):
    from qabrief.parse.lines import Page, split_lines

    return Page.of(text, split_lines(text))


def found(page, events_and_spans):
    events, spans = events_and_spans
    return [(e.speaker.role if e.speaker else None, page.text[e.label_start:e.content_start]) for e in events], \
        [page.text[a:b] for a, b in spans]


def test_registry_colon_family():
    from qabrief.parse.families import colon

    page = page_of("新华社记者：请问出口如何？[李克强]：出口平稳。\n【王文涛】\n外资增长。")
    assert found(page, colon.find(page, ())) == (
        [("reporter", "新华社记者："), ("official", "[李克强]："), ("official", "【王文涛】")],
        ["新华社记者：", "[李克强]：", "【王文涛】"])


def test_registry_no_colon_family_reads_earlier_names_and_changes_nothing():
    from qabrief.parse.families import colon, no_colon

    page = page_of("汪文斌：今天没有要发布的消息。\n凤凰卫视 记者 我们关注到有报道。\n汪文斌阿富汗问题是一个重要问题，我们一直关注。")
    earlier = tuple(colon.find(page, ())[0])
    kept = [(e.label_start, e.speaker) for e in earlier]
    assert found(page, no_colon.find(page, earlier)) == (
        [("reporter", "凤凰卫视 记者 "), ("official", "汪文斌")], ["凤凰卫视 记者", "汪文斌"])
    assert [(e.label_start, e.speaker) for e in earlier] == kept
    assert no_colon.find(page, ()) == ([no_colon.find(page, earlier)[0][0]], [(16, 23)])  # no name known before


def test_registry_numbered_family_counts_up_from_one_on_free_lines():
    from qabrief.parse.families import colon, numbered

    page = page_of("1\n请问出口如何？\n出口平稳。\n11\n这一行不是问题。\n2\n新华社记者：请问消费呢？\n消费回升。\n2\n请问外资呢？\n外资增长。")
    earlier = tuple(colon.find(page, ())[0])
    events, spans = numbered.find(page, earlier)
    assert spans == [] and [(e.speaker and e.speaker.label, page.text[e.label_start:e.label_start + 4])
                            for e in events] == [("1", "请问出口"), (None, "出口平稳"), ("2", "请问外资"), (None, "外资增长")]


def test_registry_english_qa_family_needs_two_questions_and_starts_at_the_chinese():
    from qabrief.parse.families import english_qa

    one = page_of("A Chinese official said today that the talks went well.\n会谈进展顺利。")
    assert english_qa.find(one, ()) == ([], [])  # "A" alone is the article
    page = page_of("请问会谈进展如何？\nQ How are the talks going now?\n会谈进展顺利。\nA The talks are going well.\n"
                   "Q: What comes next for both sides?")
    events, spans = english_qa.find(page, ())
    assert [(e.speaker.label, page.text[e.label_start:e.label_start + 3]) for e in events] == \
        [("Q", "请问会"), ("A", "会谈进"), ("Q", "Q: ")]
    assert [page.text[a:b] for a, b in spans] == ["Q ", "A ", "Q: "]


def test_registry_replies_family_only_in_pages_that_label_answers():
    from qabrief.parse.families import colon, replies

    qa = "问：请问出口如何？\n答：出口平稳。\n问：消费呢？\n答：消费回升。\n问：外资呢？\n答：外资增长。\n追问：还有吗？\n还有就业。\n"
    page = page_of(qa)
    earlier = tuple(colon.find(page, ())[0])
    events, spans = replies.find(page, earlier)
    assert spans == [] and [(e.speaker.label, e.speaker.role, page.text[e.label_start:e.label_start + 4])
                            for e in events] == [("答", "official", "还有就业")]
    fewer = page_of(qa.replace("答：外资增长。\n", ""))
    assert replies.find(fewer, tuple(colon.find(fewer, ())[0])) == ([], [])  # 答 twice: not such a page
