"""Each bound of the Chinese stages (summarize/limits.py, issue 32), tripped by a small input.

The limits are lowered with monkeypatch so that a few sentences hit the same rule a 5 MB
upload does; benchmarks/worst_cases.py measures the real thing (time and peak memory).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from qabrief.brief import chinese_brief
from qabrief.parse import parse
from qabrief.summarize import QASummarizer, limits
from qabrief.summarize.keywords import keyword_sample, keywords, tagging_cost
from qabrief.summarize.limits import Deadline, KeywordBudget, WorkCancelled, estimate_cost, summarized_prefix
from qabrief.summarize.segments import summarize_transcript
from qabrief.summarize.text import Vectorizer, cosine_matrix


def _sentences(n: int, start: int = 0) -> str:
    topics = ["制造业", "数字经济", "新能源汽车", "工业互联网", "中小企业", "芯片", "5G基站", "数据中心"]
    return "".join(f"第{i}项工作是推动{topics[i % len(topics)]}发展，今年增长{i % 9 + 1}.5%。"
                   for i in range(start, start + n))


def test_a_long_turn_is_summarized_over_its_first_sentences_and_the_brief_says_so(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TURN_SENTENCES", 5)
    brief = chinese_brief("新华社记者：今年的工作怎么样？\n商务部部长王伟：" + _sentences(12))
    answer = brief.segments[0].answers[0]
    assert len(answer.sentences) == 12  # every sentence stays in the brief
    assert answer.summary and all(s.index < 5 for s in answer.summary)
    assert "first 5 of 12 sentences" in brief.notice


def test_a_turn_is_summarized_over_at_most_max_turn_chars(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TURN_CHARS", 100)
    texts = ["一" * 40, "二" * 40, "三" * 40, "四" * 40]
    assert summarized_prefix(texts) == 2
    assert summarized_prefix(["长" * 500]) == 1  # one sentence over the limit is still read
    picks = QASummarizer()(texts + texts)
    assert picks and max(p.index for p in picks) < 2


def test_a_brief_summarizes_at_most_max_brief_sentences(monkeypatch):
    monkeypatch.setattr(limits, "MAX_BRIEF_SENTENCES", 6)
    text = ("新华社记者：今年怎么样？\n商务部部长王伟：" + _sentences(4) +
            "\n人民日报记者：明年呢？\n商务部部长王伟：" + _sentences(4, 10) +
            "\n央视记者：还有呢？\n商务部部长王伟：" + _sentences(4, 20))
    brief = chinese_brief(text)
    assert brief.segments[0].answers[0].summary
    assert not brief.segments[2].answers[0].summary  # past the brief's budget: shown, not summarized
    assert len(brief.segments[2].answers[0].sentences) == 4
    assert "not summarized" in brief.notice


def test_similarity_rows_hold_only_the_words_rows_share():
    """A document of 20,000 distinct words: three rows cost three rows' words, not 20,000
    columns each, and give the same cosines and relevance as the document-wide vectors."""
    document = [[f"词{i}", f"词{i + 1}"] for i in range(0, 20_000, 2)]
    rows = [["词0", "词1", "共同"], ["词2", "共同"], ["词4", "词5", "词0"]]
    vec = Vectorizer(document + rows)
    local, q = vec.transform_local(rows, ["共同", "词5"])
    assert local.shape[1] <= 3 and vec.transform(rows).shape[1] > 10_000
    full, qfull = vec.transform(rows), vec.transform([["共同", "词5"]])[0]
    assert np.allclose(cosine_matrix(local), cosine_matrix(full))
    assert np.allclose(local @ q, full @ qfull)


def _naive_select(self, score, sim, eligible, points, antecedents, k, char_budget, lengths):
    """The selection as it was before issue 32 (quadratic in the sentences chosen)."""
    import math

    chosen, used = [], 0
    all_points = {p for p, ok in zip(points, eligible) if p is not None and ok}
    while len(chosen) < k:
        covered = {points[i] for i in chosen if points[i] is not None}
        uncovered = all_points - covered
        best, best_value = None, -math.inf
        for i in range(len(score)):
            if i in chosen or not eligible[i]:
                continue
            if points[i] is not None and points[i] in covered and uncovered:
                continue
            if char_budget is not None and used + lengths[i] > char_budget:
                continue
            value = (1 - self.diversity) * score[i] - self.diversity * max((sim[i, j] for j in chosen), default=0.0)
            if points[i] in uncovered:
                value += self.coverage_bonus
            if antecedents[i] is not None and not antecedents[i] & set(chosen):
                value -= self.anaphora_penalty
            if value > best_value + 1e-12:
                best, best_value = i, value
        if best is None:
            break
        chosen.append(best)
        used += lengths[best]
    return chosen


@pytest.mark.parametrize("seed", range(20))
def test_the_linear_selection_chooses_what_the_quadratic_one_did(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    score = np.array([rng.random() for _ in range(n)])
    sim = np.array([[rng.random() for _ in range(n)] for _ in range(n)])
    eligible = [rng.random() > 0.2 for _ in range(n)]
    points = [rng.choice([None, (0, 1), (0, 2), (1, 1)]) for _ in range(n)]
    antecedents = [({i - 1} if i and rng.random() < 0.3 else None) for i in range(n)]
    lengths = [rng.randint(5, 60) for _ in range(n)]
    budget = rng.choice([None, 120])
    k = rng.randint(1, n)
    s = QASummarizer()
    assert s._select(score, sim, eligible, points, antecedents, k, budget, lengths) == \
        _naive_select(s, score, sim, eligible, points, antecedents, k, budget, lengths)


def test_keywords_never_send_the_tagger_characters_it_never_saw(monkeypatch):
    """jieba's POS HMM tries all 256 tags against all 256 on such a character (~8 ms each)."""
    import jieba.posseg
    from jieba.posseg.char_state_tab import P

    unseen = [chr(c) for c in range(0x4E00, 0x9FD6) if chr(c) not in P][:200]
    seen: list[str] = []
    real_cut = jieba.posseg.cut
    monkeypatch.setattr(jieba.posseg, "cut", lambda text, *a, **k: seen.append(text) or real_cut(text, *a, **k))
    keywords(["".join(unseen[i:i + 20]) + "。" for i in range(0, 200, 20)] + ["工业互联网平台建设。"])
    assert seen and not set("".join(seen)) & set(unseen)


def test_keywords_read_an_even_sample_within_the_allowance():
    sentences = [f"第{i}个数据中心建设。" for i in range(100)]
    cost = tagging_cost(sentences[0])
    sample, spent = keyword_sample(sentences, cost * 10)
    assert 1 < len(sample) <= 10 and spent <= cost * 10
    assert sample[0] == sentences[0] and sample[-1] in sentences[50:]  # spread over the segment
    assert keyword_sample(sentences, 10**9) == (sentences, sum(map(tagging_cost, sentences)))


def test_the_brief_shares_one_keyword_budget_among_its_segments(monkeypatch):
    monkeypatch.setattr(limits, "KEYWORD_COST_PER_BRIEF", 3000)
    spent = []
    real = KeywordBudget.spend
    monkeypatch.setattr(KeywordBudget, "spend", lambda self, cost: spent.append(cost) or real(self, cost))
    outlets = ["新华社", "人民日报", "中央电视台", "中国日报"]
    text = "".join(f"\n{o}记者：问题怎么样？\n商务部部长王伟：" + _sentences(30, 40 * n) for n, o in enumerate(outlets))
    summarize_transcript(parse(text))
    assert len(spent) == 4 and sum(spent) <= 3000


def test_a_deadline_stops_the_chinese_stages_with_its_reason():
    text = "新华社记者：今年怎么样？\n商务部部长王伟：" + _sentences(5)
    with pytest.raises(WorkCancelled, match="time budget of 0 s"):
        chinese_brief(text, deadline=Deadline(seconds=0))
    with pytest.raises(WorkCancelled, match="cancelled"):
        chinese_brief(text, deadline=Deadline(cancelled=lambda: True))
    calls = []
    chinese_brief(text, deadline=Deadline(seconds=60, cancelled=lambda: calls.append(1) and False))
    assert len(calls) >= 3  # checked between stages and turns, not only once


def test_thousands_of_bare_names_find_their_titles_in_one_pass():
    """A bare label's title comes from the prose before any of its occurrences (one pass over
    the text for all names, not a search of the whole text per name)."""
    names = [a + b + c for a in "王李张" for b in "伟明华" for c in "强军洋"]
    intro = "".join(f"外交部发言人{n}出席。" for n in names[:3])
    body = "".join(f"\n记者{i}：问题怎么样？\n{n}：我们推进工作。取得了进展。" for i, n in enumerate(names))
    t = parse(intro + body)
    titled = {x.speaker.name: x.speaker.title for x in t.turns if x.speaker and x.speaker.role == "official"}
    assert len(titled) == len(names)
    assert all(titled[n] == "外交部发言人" for n in names[:3]) and not any(titled[n] for n in names[3:])


def test_estimate_cost_grows_with_the_work_and_caps_the_tagger():
    small, big = estimate_cost(_sentences(10)), estimate_cost(_sentences(1000))
    assert set(small.stages) == {"parse", "summarize", "keywords", "render"}
    assert 0 < small.seconds < big.seconds
    from jieba.posseg.char_state_tab import P

    unseen = "".join(chr(c) for c in range(0x4E00, 0x9FD6) if chr(c) not in P)
    heavy = estimate_cost((unseen + "。") * 20)
    assert heavy.stages["keywords"] <= limits.KEYWORD_COST_PER_BRIEF * limits.TAGGING_S_PER_UNIT + 1e-9


def test_lines_holding_labels_are_found_by_bisection_as_by_scanning():
    from qabrief.parse.lines import lines_holding

    rng = random.Random(3)
    lines, pos = [], 0
    for _ in range(300):
        pos += rng.randint(1, 5)
        lines.append((pos, pos + rng.randint(1, 30)))
        pos = lines[-1][1]
    offsets = [rng.randint(0, pos + 10) for _ in range(100)]
    assert lines_holding(lines, offsets) == {ln for ln in lines if any(ln[0] <= o < ln[1] for o in offsets)}


# -- the app's request budget (QABRIEF_REQUEST_BUDGET_S): what is made stays, the rest stops with the reason

def test_a_request_over_its_budget_keeps_its_chinese_and_says_why_the_english_stopped(monkeypatch):
    from types import SimpleNamespace

    import qabrief.app as app
    import qabrief.summarize.limits as limits
    from qabrief.model_pool import TranslatorPool
    from qabrief.translate import IdentityTranslator

    clock = [0.0]  # the budget's own clock, moved only by the model: the test does not depend on the machine's speed
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    monkeypatch.setattr(app, "Deadline", lambda seconds, cancelled=None: limits.Deadline(seconds=seconds, cancelled=cancelled,
                                                                               started=clock[0]))

    class Slow(IdentityTranslator):
        description = "a slow model"

        def translate_detailed(self, sentences):
            clock[0] += 0.4
            return super().translate_detailed(sentences)

    monkeypatch.setenv("QABRIEF_REQUEST_BUDGET_S", "1")
    monkeypatch.setattr(app, "_pool", TranslatorPool(lambda *a, **k: Slow(), policy=None))
    text = "发布会\n" + "".join(f"记者：第{n}个问题是什么？\n王文涛：第{n}个回答。谢谢。\n" for n in range(8))
    brief = app.build_brief(text, None, 0, "Full text", "slow", "auto")
    assert len(brief.segments) == 8 and all(seg.answers[0].sentences[0].zh for seg in brief.segments)
    assert "stopped during translating: over the time budget of 1 s" in brief.english_error
    translated = [seg.answers[0].sentences[0].en for seg in brief.segments]
    assert translated[0] and translated[-1] is None  # the English made before the budget ran out stays


def test_a_request_whose_chinese_runs_over_the_budget_gets_one_line(monkeypatch):
    from qabrief.app import stream_page

    monkeypatch.setenv("QABRIEF_REQUEST_BUDGET_S", "0.000001")
    page, files = list(stream_page("发布会\n记者：问题？\n部长：回答。", None, 0, "Full text", "none", "auto"))[-1]
    assert "over the time budget" in page and files is None and "Traceback" not in page


def test_the_page_shows_this_texts_forecast_before_the_chinese_and_escapes_it(tmp_path, monkeypatch):
    from qabrief import app

    big = "新华社记者：今年的工作怎么样？<b>\n商务部部长王伟：" + _sentences(20_000)
    forecast = app.chinese_forecast(big, None)
    cost = estimate_cost(big)
    assert forecast and f"about {cost.seconds:.0f} s" in forecast and "summarize" in forecast
    # the same forecast for the same text uploaded as GBK (decoded as the parser decodes it)
    upload = tmp_path / "gbk.txt"
    upload.write_bytes(big.encode("gbk"))
    assert app.chinese_forecast(None, str(upload)) == forecast
    # the seed's size: its cards come before a forecast could be read; a link: its size is unknown
    assert app.chinese_forecast("新华社记者：好吗？\n王伟：好。", None) is None
    assert app.chinese_forecast("https://www.fmprc.gov.cn/x.html", None) is None
    # the page's first answer is the forecast, the Chinese cards only after it
    recorder = _Recorder(app.chinese_brief)
    monkeypatch.setattr(app, "chinese_brief", recorder)
    pages = app.stream_page(big, None, 0, app.SCOPES[0], app.NO_MODEL, "auto")
    first, files = next(pages)
    assert "about" in first and 'role="status"' in first and files is None
    assert not recorder.calls  # nothing summarized yet when the forecast is shown
    html, files = list(pages)[-1]
    assert recorder.calls == 1 and files


class _Recorder:
    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


def test_the_english_progress_says_the_time_left_at_this_briefs_own_rate():
    from qabrief.app import EnglishProgress

    shown, now = [], [100.0]
    progress = EnglishProgress(lambda value, desc, unit: shown.append((value, desc)), clock=lambda: now[0])
    progress(10, 100, "opening")  # the first call also warmed the model: no rate from it
    now[0] += 9.0
    progress(40, 100, "Q&A 1 of 5")  # 30 sentences in 9 s: 0.3 s a sentence, 60 left
    assert shown[0] == ((10, 100), "Translating opening")
    assert shown[1] == ((40, 100), "Translating Q&A 1 of 5, about 18 s left")


def test_each_sentence_is_tokenised_once_per_brief_however_many_sentences(monkeypatch):
    # `words` keeps 8,192 sentences; a brief of more tokenised each twice (vectorizer, then
    # summaries), half the time of a 5 MB answer of figures
    from qabrief.summarize import qa, text

    seen: list[str] = []
    original = text.words.__wrapped__

    def counting(sentence):
        seen.append(sentence)
        return original(sentence)

    monkeypatch.setattr(text, "words", counting)
    monkeypatch.setattr(qa, "words", counting)
    chinese_brief("新华社记者：今年的工作怎么样？\n商务部部长王伟：" + _sentences(40)
                  + "\n路透社记者：明年呢？\n商务部部长王伟：" + _sentences(30, start=40))
    assert seen and len(seen) == len(set(seen))


def test_figures_past_the_brief_cap_are_counted_without_being_described(monkeypatch):
    import qabrief.brief as brief_module

    described = []
    monkeypatch.setattr(brief_module, "MAX_FIGURES", 3)
    monkeypatch.setattr(brief_module, "figures_of", lambda sentences: _describe(described, sentences))
    brief = chinese_brief("记者：请问？\n王毅：增长了3%，5%，7%。还有9个。又有10个和12个。")
    assert [f.text for f in brief.segments[0].figures] == ["3%", "5%", "7%"]
    assert brief.segments[0].figures_left_out == 3
    assert len(described) == 1  # the 2nd and 3rd sentences only counted


def _describe(calls, sentences):
    from qabrief.fidelity.figures import figures_of

    calls.append(sentences)
    return figures_of(sentences)


def test_a_visitor_who_leaves_stops_the_work_within_one_unit(monkeypatch):
    # Gradio closes a page's generator at a yield once its visitor has gone; the Chinese stage
    # yields nothing for up to ~40 s, so the page's handler yields heartbeats while it runs, and
    # closing the handler sets the cancellation its Deadline checks between units of work
    import threading
    import time

    from qabrief import app

    monkeypatch.setattr(app, "HEARTBEAT_S", 0.05)
    checks, stopped = [], threading.Event()

    def endless_summary(transcript, *args, deadline=None, **kwargs):
        while True:  # a brief that would never end on its own
            checks.append(time.monotonic())
            try:
                deadline.check("summarizing")
            except WorkCancelled as exc:
                stopped.set()
                raise exc
            time.sleep(0.01)

    monkeypatch.setattr(app, "chinese_brief", endless_summary)
    pages = app.stream_page("记者：好吗？\n王伟：好。", None, 0, app.SCOPES[0], app.NO_MODEL, "auto")
    heartbeats = [next(pages) for _ in range(3)]
    assert heartbeats == [(None, None)] * 3 and checks  # the work runs; the page waits at a yield
    pages.close()  # what Gradio does when the visitor has left
    assert stopped.wait(5), "the work went on after its visitor left"

