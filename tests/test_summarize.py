"""The Q&A summarizer on the seed and on documents built from plain strings."""

import json

import pytest

from qabrief.cli import main
from qabrief.summarize import Budget, QASummarizer, lead, plain_textrank, summarize_transcript
from qabrief.summarize.cues import enumerated_points, enumeration_number, is_courtesy, is_interrogative

# Written by hand from the seed: what a reader never wants to see in a summary.
SEED_COURTESIES = {
    "謝謝。", "謝謝您的提問。", "謝謝你的提問。", "謝謝大家。", "我就回答這些,謝謝你的提問。", "我就回答這些,謝謝。",
    "我就補充這些,謝謝大家。", "下面,請玉龍同志詳細回答你的問題。", "下面請志國同志詳細回答這個問題。",
    "謝謝你的提問,我也贊成這個說法。", "剛才肖部長也講了相關內容,我作個補充發言。",
    "工業互聯網確實是第四次工業革命的重要基石,過去三年,工業互聯網發展是起步階段、發展的階段,現在方興未艾,正在向深入發展,請志國同志詳細回答這個問題。",
}
SEED_QUESTIONS = [
    "請問肖部長,如何看待工業和信息化在全面建設社會主義現代化國家中的職責使命?",
    "我們注意到,“十四五”規劃明確提出提升產業鏈供應鏈現代化水平,請問工信部在這方面有哪些推進舉措?",
    "當前,我國新能源汽車發展態勢良好,請問這其中,工信部主要做了哪些工作?",
    "5G是當前社會各界高度關注的話題之一,請問工信部,5G商用兩年多來取得了哪些發展成效?",
    "請問肖部長,工信部在這些方面開展了哪些工作?",
    "請問,工信部在網絡扶貧方面主要開展了哪些工作?",
    "我們經常聽到工業互聯網是第四次工業革命重要基石這樣的說法,請問工業互聯網在促進數字化轉型方面發揮了怎樣的作用?",
]


def doc(*sentences):
    """A document from plain strings (one sentence each)."""
    return list(sentences)


def chosen_texts(segment, summary):
    q = [segment.question.sentences[p.index].text for p in summary.question.picks] if summary.question else []
    a = [segment.answer[t.turn].sentences[p.index].text for t in summary.answers for p in t.picks]
    return q, a


@pytest.mark.parametrize("budget", [Budget(), Budget(sentences=1), Budget(sentences=4), Budget(ratio=0.3),
                                    Budget(chars=300)])
def test_every_question_summary_keeps_what_was_asked(seed_transcript, budget):
    summaries = summarize_transcript(seed_transcript, budget)
    for seg, summ, asked in zip(seed_transcript.segments, summaries, SEED_QUESTIONS):
        q, _ = chosen_texts(seg, summ)
        assert asked in q  # under every budget, even one sentence
        assert any(is_interrogative(s) for s in q)


def test_default_question_summary_contains_the_seed_interrogatives(seed_transcript):
    for seg, summ, asked in zip(seed_transcript.segments, summarize_transcript(seed_transcript), SEED_QUESTIONS):
        assert asked in chosen_texts(seg, summ)[0]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 10])
def test_no_courtesy_or_handover_is_ever_chosen(seed_transcript, n):
    for budget in (Budget(sentences=n), Budget(ratio=min(1.0, n / 10))):
        for seg, summ in zip(seed_transcript.segments, summarize_transcript(seed_transcript, budget)):
            q, a = chosen_texts(seg, summ)
            assert not (set(q) | set(a)) & SEED_COURTESIES


def test_four_sentences_cover_at_least_three_of_four_points(seed_transcript):
    turn = seed_transcript.segments[0].answer[0]
    texts = [s.text for s in turn.sentences]
    starts = [i for i, t in enumerate(texts) if t.startswith(("一是", "二是", "三是", "四是")) or "工作: 一是" in t]
    assert len(starts) == 4
    summ = summarize_transcript(seed_transcript, Budget(sentences=4))[0]
    picks = summ.answers[0].indices
    assert len(picks) == 4
    covered = {max(k for k, s in enumerate(starts) if s <= i) for i in picks if i >= starts[0]}
    assert len(covered) >= 3


def test_output_is_deterministic_and_in_source_order(seed_transcript):
    first = summarize_transcript(seed_transcript)
    second = summarize_transcript(seed_transcript)
    assert [[a.picks for a in s.answers] for s in first] == [[a.picks for a in s.answers] for s in second]
    for s in first:
        for t in s.answers:
            assert t.indices == sorted(t.indices)


def test_multi_speaker_answer_shares_the_budget(seed_transcript):
    summ = summarize_transcript(seed_transcript, Budget(sentences=4))[1]
    assert [a.speaker.name for a in summ.answers] == ["肖亞慶", "田玉龍"]
    assert [len(a.picks) for a in summ.answers] == [1, 3]  # 4 vs 15 sentences of substance


def test_keywords_label_the_segment(seed_transcript):
    summaries = summarize_transcript(seed_transcript)
    assert "新能源" in summaries[2].keywords
    assert any("農村" in k or "貧困" in k for k in summaries[5].keywords)  # spelled in the source script
    assert all(1 <= len(s.keywords) <= 5 for s in summaries)


summarize = QASummarizer()


def test_empty_turn():
    assert summarize(doc()) == []
    assert summarize(doc(""), Budget(sentences=2)) == []


def test_one_sentence_turn():
    assert [p.index for p in summarize(doc("我们将继续扩大开放。"))] == [0]


def test_turn_without_punctuation():
    text = "我们将继续扩大高水平对外开放推动制造业高质量发展加快数字化转型"
    assert [p.index for p in summarize(doc(text), Budget(sentences=3))] == [0]


def test_very_long_turn_respects_budget():
    sentences = [f"第{i}项工作是推进{['制造业', '数字经济', '网络安全', '新能源汽车'][i % 4]}发展，今年完成{i}个项目。"
                 for i in range(400)]
    picks = summarize(sentences, Budget(sentences=5))
    assert len(picks) == 5 and [p.index for p in picks] == sorted(p.index for p in picks)
    assert len(summarize(sentences)) == 6  # default grows with length, capped


def test_answer_relevance_to_question():
    answer = doc("今天天气很好，大家辛苦了。", "新能源汽车销量增长了两倍，充电设施加快建设。", "会议室的灯光很亮。")
    picks = summarize(answer, Budget(sentences=1), question=["新能源汽车充电是否便捷？"])
    assert [p.index for p in picks] == [1]


def test_question_keeps_the_asking_sentence_before_context():
    q = doc("近年来数字经济发展很快，与老百姓关系密切。", "政府、企业和专家学者都很关注。", "请问工信部开展了哪些工作？", "谢谢。")
    assert [p.index for p in summarize(q, Budget(sentences=1), kind="question")] == [2]


def test_character_budget():
    sentences = doc("一是加强规划引领。", "二是夯实产业基础，加强核心关键技术攻关和标准研制。", "三是深化融合应用。")
    picks = summarize(sentences, Budget(chars=20))
    assert sum(len(sentences[p.index]) for p in picks) <= 20 and picks


@pytest.mark.parametrize("kwargs", [{"sentences": -1}, {"ratio": 0}, {"ratio": 1.5}, {"chars": 0},
                                    {"sentences": 2, "ratio": 0.5}])
def test_invalid_budgets(kwargs):
    with pytest.raises(ValueError):
        Budget(**kwargs)


@pytest.mark.parametrize("sentence, number", [
    ("一是聚焦科技自立自強。", 1), ("四是安全。", 4), ("第二,在“線”上,要增強韌性。", 2), ("（三）优化环境。", 3),
    ("下一步,一是要加強關鍵核心技術攻關。", 1), ("新能源汽車發展有“三個突破”:一是技術突破。", 1),
    ("首先要提高制造业的水平。", 1), ("另一方面,加快5G网络部署。", 2), ("一方面要扩大开放。", 1),
    ("2.2倍的增长。", None), ("第一次来到这里。", None), ("我们主要围绕四个方面。", None),
])
def test_enumeration_markers(sentence, number):
    assert enumeration_number(sentence) == number


def test_sub_points_stay_inside_their_point():
    points = enumerated_points(doc("一是规划。", "首先要做。", "其次要做。", "二是基础。", "一方面甲。", "另一方面乙。",
                                   "下一步，一是开放。", "二是改革。"))
    assert points == [(0, 1), (0, 1), (0, 1), (0, 2), (0, 2), (0, 2), (1, 1), (1, 2)]


@pytest.mark.parametrize("sentence, expected", [
    ("謝謝你的提問。", True), ("我就回答這些,謝謝。", True), ("下面請志國同志詳細回答這個問題。", True),
    ("剛才肖部長已經談到了產業鏈供應鏈的發展安全問題,我補充幾點。", True),
    ("謝謝你的提問。5G正式商用以來取得了一系列成果。", False), ("我們已建成超過100萬座基站。", False),
])
def test_courtesy_detection(sentence, expected):
    assert is_courtesy(sentence) is expected


def test_baselines():
    s = doc("甲乙丙。", "丁戊己。", "庚辛壬。")
    assert lead(s, 2) == [0, 1]
    assert plain_textrank(s, 2) == sorted(plain_textrank(s, 2)) and len(plain_textrank(s, 2)) == 2


def test_cli_summarize_json_indexes_parse_output(seed_path, capsys):
    assert main(["summarize", str(seed_path), "--sentences", "3", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert main(["parse", str(seed_path), "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert len(summary["segments"]) == 7
    for seg_sum, seg in zip(summary["segments"], parsed["segments"]):
        for pick in seg_sum["question"]["sentences"]:
            assert seg["question"]["sentences"][pick["index"]]["text"] == pick["text"]
        for ans in seg_sum["answers"]:
            assert len(ans["sentences"]) <= 3
            for pick in ans["sentences"]:
                assert seg["answer"][ans["turn"]]["sentences"][pick["index"]]["text"] == pick["text"]


def test_cli_rejects_bad_ratio(seed_path, capsys):
    assert main(["summarize", str(seed_path), "--ratio", "2"]) == 2
    assert "ratio" in capsys.readouterr().err
