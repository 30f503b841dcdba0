"""Summaries against what reporters reported (issue 15): the held-out half of
benchmarks/summary_vs_news.py, the seed's figure-bearing answers, and the rules behind them."""

import json
import sys
from pathlib import Path

import pytest

from qabrief.summarize import Budget, QASummarizer, summarize_transcript

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import news_reference  # noqa: E402
import summary_vs_news  # noqa: E402

needs_reports = pytest.mark.skipif(not news_reference.REPORTS.is_dir(), reason="../shared/corpus/reports not here")


@pytest.fixture(scope="module")
def held_out():
    totals = summary_vs_news.half_totals(summary_vs_news.HELD_OUT, Budget())
    return {m: {**summary_vs_news.rates(t), "courtesy": t["courtesy"]} for m, t in totals.items()}


@needs_reports
def test_held_out_figures_beat_lead_k_and_textrank_without_courtesies(held_out):
    ours = held_out["qabrief"]
    assert ours["figures"] > held_out["lead-k"]["figures"]
    assert ours["figures"] > held_out["textrank"]["figures"]
    assert ours["recall"] > held_out["lead-k"]["recall"]
    assert ours["courtesy"] == 0


@needs_reports
@pytest.mark.xfail(strict=True, reason="held-out reported-sentence recall is one sentence behind TextRank (10 vs 11 "
                   "of 22) on the fuller reference; the tune half is one sentence from its ceiling and no "
                   "tune-justified rule moves it; see README")
def test_held_out_sentence_recall_beats_textrank(held_out):
    assert held_out["qabrief"]["recall"] > held_out["textrank"]["recall"]


def _answer_texts(segment, summary):
    return {t.turn: [segment.answer[t.turn].sentences[i].text for i in t.indices] for t in summary.answers}


def test_seed_nev_summary_carries_two_of_its_headline_figures(seed_transcript):
    nev = seed_transcript.segments[2]
    picked = "".join(_answer_texts(nev, summarize_transcript(seed_transcript)[2])[0])
    assert sum(f in picked for f in ("2.2倍", "85%", "500公里", "700萬")) >= 2


def test_seed_5g_answers_carry_the_base_station_count(seed_transcript):
    g5 = seed_transcript.segments[3]
    picked = _answer_texts(g5, summarize_transcript(seed_transcript)[3])
    assert len(picked) == 2 and all(any("基站" in s for s in texts) for texts in picked.values())


def test_an_anaphoric_sentence_comes_only_with_what_it_points_back_to():
    sentences = ["暑期各地举办交流活动。", "体育交流方面，足球赛在福建举办；", "篮球赛在江苏举办。",
                 "这些体育交流活动吸引近百支队伍数千名青少年参加。", "文化交流方面，青年文化月在江苏启动。"]
    question = ["体育交流活动吸引了多少青少年参加？"]

    def picks(k, **weights):
        return [p.index for p in QASummarizer(**weights)(sentences, Budget(sentences=k), question=question)]

    assert picks(1, anaphora_penalty=0) == [3]  # the best sentence on its own…
    assert picks(1) != [3]  # …but "这些活动" alone leaves the reader asking which
    assert 3 in picks(3) and {0, 1, 2} & set(picks(3))  # with the list it sums up, it is kept


def test_a_reporters_words_glued_into_an_answer_are_not_picked():
    def picks(second):
        sentences = ["两岸关系的基本格局不会改变。", second, "两岸同胞是一家人，两岸关系和平发展。", "统一是历史大势。"]
        return [p.index for p in QASummarizer()(sentences, Budget(sentences=2))]

    assert 1 in picks("跟进有关两岸关系的问题。")
    assert 1 not in picks("台湾某报记者：第一个问题，跟进有关两岸关系的问题。")  # a question pasted into the answer


def test_a_point_that_states_figures_is_represented_by_them():
    from qabrief.summarize.cues import enumerated_points
    from qabrief.summarize.qa import _figures, _point_heads

    sentences = ["新能源汽车发展取得了长足进步。", "一是技术突破，建立了完整产业体系，突破了电池、电机、电控等关键技术。",
                 "其中，动力电池技术全球领先。", "与2012年相比，单体能量密度提高2.2倍，成本下降85%左右。",
                 "二是市场突破，新能源汽车市场持续扩大。", "三是产业体系更加完善，关键技术持续突破。"]

    def heads(texts):
        figures = [_figures(t, False) for t in texts]
        return [i for i, h in enumerate(_point_heads(texts, enumerated_points(texts), figures)) if h]

    assert heads(sentences) == [3, 4, 5]  # the point's figures stand for it, not its heading
    figureless = [t.replace("与2012年相比，", "").replace("2.2倍", "很多").replace("85%左右", "不少") for t in sentences]
    assert heads(figureless) == [1, 4, 5]  # no figures: the heading (一是…), as before

    def picks(texts):  # where the heading weight decides, it goes with the figures
        return [p.index for p in QASummarizer(marker_bonus=1.0)(texts, Budget(sentences=3))]

    assert picks(sentences) == [3, 4, 5] and picks(figureless) == [1, 4, 5]


def test_the_size_of_an_announced_list_is_not_a_figure():
    from qabrief.summarize.qa import _figures

    assert _figures("新能源汽车发展有“三个突破”：一是技术突破。", announces=True) == 0
    assert _figures("与2012年相比，单体能量密度提高2.2倍，成本下降85%左右。", announces=False) == 2
    assert _figures("重点做好以下三个方面的工作，投入500亿元：", announces=True) == 1  # 500亿元 still counts


def test_the_size_of_a_list_just_named_is_not_a_figure():
    from qabrief.summarize.qa import _figures

    # 三大领域 counts the three fields the sentence has just named; it tells a reader nothing new
    assert _figures("面向新型信息消费、实体经济、民生服务三大领域，再培育一批典型示范。", announces=False) == 0
    assert _figures("涵盖电子设备制造、装备制造、钢铁、采矿等22个重点行业。", announces=False) == 1  # 22 is news
    assert _figures("我们有三大优势，市场规模、产业体系和人才。", announces=False) == 1  # no list before it
    assert _figures("坚持点、线、面、系统四个方向。", announces=False) == 0
    # a count that is not the number of items named before it is a figure
    assert _figures("北京、上海、广州等地建设了十个示范区。", announces=False) == 1
    assert _figures("我们与美国、欧盟、日本等三十个国家和地区签署协议。", announces=False) == 1
    assert _figures("钢铁、煤炭等行业去产能三个百分点。", announces=False) == 1
    assert _figures("上半年，消费、投资分别增长十个百分点和五个百分点。", announces=False) == 2


@needs_reports
def test_the_stored_reference_is_what_the_matcher_and_parser_give_now():
    # a parser change that moves sentence indices would silently misalign the reference
    for folder in sorted(p for p in news_reference.REPORTS.iterdir() if p.is_dir()):
        stored = json.loads((news_reference.OUT / f"{folder.name}.json").read_text(encoding="utf-8"))
        assert news_reference.build(folder) == stored, f"rerun benchmarks/news_reference.py ({folder.name})"


def test_a_report_sentence_that_wraps_a_quote_in_attribution_contains_it():
    quote = "当前中日关系处于严重困难局面，其原因大家都很清楚，是由日方单方面挑起。"
    wrapped = "针对中日关系的前景，中国外交部发言人洪磊在11月16日的记者会上强调，" + quote
    assert news_reference.contained(wrapped, quote)
    assert news_reference.score(wrapped, quote)[0] < news_reference.MIN_SCORE  # what the share alone missed
    assert not news_reference.contained(wrapped, "中日双方应当加强对话，管控分歧，推动关系改善。")
    assert not news_reference.contained("中日关系处于困难局面。", quote)  # too little of it
