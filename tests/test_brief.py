"""The pipeline and its renderers: what the reader sees."""

import json

import pytest

from qabrief.brief import make_brief
from qabrief.render import render_html, render_json, render_markdown
from qabrief.summarize import Budget
from qabrief.translate import load_translator
from qabrief.translate.base import Translator

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def translator(tiny_model_dir):
    return load_translator(tiny_model_dir, device="cpu", backend="transformers", cache=False)


def test_chinese_only_brief(seed_transcript):
    brief = make_brief(seed_transcript, None)
    assert not brief.translated and len(brief.segments) == 7
    assert all(s.en is None for seg in brief.segments for t in seg.answers for s in t.sentences)
    xiao = brief.segments[0].answers[0].speaker
    assert xiao.name_en == "Xiao Yaqing 肖亞慶" and xiao.title_zh == "工業和信息化部部長"
    assert brief.segments[0].question.speaker.outlet_en == "CCTV"
    assert brief.segments[3].question.speaker.heading_en == "Bauhinia Magazine (Hong Kong) reporter"
    html = render_html(brief)
    assert html.count('class="card qa"') == 7
    # the minister's label is his name alone: the card gives the title the opening sentence states
    assert xiao.heading_zh == "工業和信息化部部長 肖亞慶" and '<span class="zh" lang="zh">工業和信息化部部長 肖亞慶</span>' in html
    assert brief.opening[0].speaker is None and '<div class="who">Opening statement</div>' in html
    assert "**Opening statement**" in render_markdown(brief) and "no speaker label" not in html


def test_bilingual_brief_with_model(seed_transcript, translator):
    calls = []
    english: dict[str, str] = {}

    class Recording(Translator):  # what the model said for each source, as the brief received it
        cache_key, description = translator.cache_key, translator.description

        def translate_detailed(self, sentences):
            results = translator.translate_detailed(sentences)
            english.update((r.source, r.text) for r in results)
            return results

    brief = make_brief(seed_transcript, Recording(), Budget(sentences=2),
                       progress=lambda done, total, what: calls.append((done, total)))
    assert len(calls) == 8  # opening + 7 segments, counting sentences
    translated = sum(1 for seg in brief.segments for t in [seg.question] + seg.answers for s in t.sentences if s.summary)
    translated += sum(1 for t in brief.opening for s in t.sentences if s.summary)
    assert calls[-1] == (translated, translated) and [c[0] for c in calls] == sorted(c[0] for c in calls)
    for seg in brief.segments:
        for t in [seg.question] + seg.answers:
            for s in t.sentences:
                assert (s.en is not None) == s.summary  # summaries only, by default
    # the title and the speakers' titles go through the model too (its English for them, verbatim)
    xiao = brief.segments[0].answers[0].speaker
    assert xiao.title_en == english[xiao.title_zh] and xiao.title_en.strip()
    assert brief.title_en == english[brief.title_zh] and brief.title_en.strip()


def test_full_text_translates_every_sentence(translator):
    text = "记者：请问工信部在这方面有哪些推进举措？\n肖亚庆：谢谢你的提问。我们已建成超过100万座基站。5G手机出货量达到1.68亿部。"
    brief = make_brief(text, translator, Budget(sentences=1), full_text=True)
    answer = brief.segments[0].answers[0]
    assert [s.en for s in answer.sentences] == ["Thank you for your question.",
                                                "We have built more than 1 million base stations.",
                                                "5G phone shipments reached 168 million units."]
    assert brief.segments[0].question.sentences[0].en == "What measures will the ministry take in this regard?"
    md = render_markdown(brief)
    summary_row = [s for s in answer.sentences if s.summary][0]
    assert f"| {summary_row.zh} | {summary_row.en} |" in md  # the summary sentence, with its English
    others = [s for s in answer.sentences if not s.summary]
    assert all(f"\n| {s.zh} |" not in md for s in others)  # the bilingual table holds the summary only


def test_user_text_is_escaped_everywhere():
    text = f"记者：请问{XSS}如何看待？\n王文涛：我们认为<b>很好</b>。{XSS}。"
    brief = make_brief(text, None)
    html = render_html(brief, standalone=True)
    assert XSS not in html and "<b>很好" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = render_markdown(brief)
    assert "王文涛" in md
    assert "<script" not in md and "<b>" not in md  # no markup of the user's survives in the Markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "&lt;b&gt;很好&lt;/b&gt;" in md
    assert json.loads(render_json(brief))["segments"][0]["question"]["sentences"][0]["zh"].count("<script>") == 1


def test_bilingual_reference_is_shown():
    text = "总台央视记者：你能否介绍有关情况？\nCCTV: Can you share more details?\n汪文斌：中法双方发表了联合声明。\nWang Wenbin: China and France issued a joint statement."
    brief = make_brief(text, None)
    assert brief.segments[0].answers[0].reference == "China and France issued a joint statement."
    assert "China and France issued a joint statement." in render_html(brief)


def test_suspect_sentences_are_flagged_in_every_format(translator):
    brief = make_brief("记者：请问有哪些举措？\n肖亚庆：产业链强链补链行动。", translator, Budget(sentences=1))
    sentence = brief.segments[0].answers[0].sentences[0]
    assert sentence.suspect and sentence.reason == "empty"
    assert 'class="flag"' in render_html(brief) and "⚠ _translation looks broken: empty_" in render_markdown(brief)
    data = json.loads(render_json(brief))
    assert data["segments"][0]["answers"][0]["sentences"][0]["suspect"] is True


def test_json_schema(seed_transcript):
    data = json.loads(render_json(make_brief(seed_transcript, None)))
    assert data["schema"] == "qabrief.brief/1"
    assert {"title_zh", "title_en", "date", "source", "translator", "translated", "segments", "opening"} <= set(data)
    seg = data["segments"][0]
    assert {"number", "question", "answers", "keywords_zh", "keywords_en"} <= set(seg)
    assert {"speaker", "sentences", "reference"} <= set(seg["question"])
    assert {"index", "zh", "en", "summary", "suspect", "reason"} <= set(seg["question"]["sentences"][0])


def test_missing_number_is_flagged_in_page_json_and_markdown(translator):
    brief = make_brief("记者：请问推广情况如何？\n肖亚庆：累计推广已经超过了700万辆。", translator, Budget(sentences=1))
    sentence = brief.segments[0].answers[0].sentences[0]
    assert sentence.en == "Cumulative promotion has exceeded 700 vehicles."
    assert sentence.problems == ["number 700万 (7,000,000) not found in the English"]
    html = render_html(brief)
    assert 'title="number 700万 (7,000,000) not found in the English"' in html
    assert "⚠ _number 700万 (7,000,000) not found in the English_" in render_markdown(brief)
    data = json.loads(render_json(brief))
    assert data["segments"][0]["answers"][0]["sentences"][0]["problems"] == sentence.problems


def test_glossary_terms_checked_and_enforced(translator):
    text = "记者：请问工信部在这方面有哪些推进举措？\n王文涛：谢谢你的提问。"
    plain = make_brief(text, translator, Budget(sentences=1))
    question = plain.segments[0].question.sentences[0]
    assert question.en == "What measures will the ministry take in this regard?"
    assert question.terms == [{"zh": "工信部", "en": "MIIT", "found": False}]
    assert question.problems == ["term 工信部: expected “MIIT”"]
    enforced = make_brief(text, translator, Budget(sentences=1), enforce_glossary=True)
    question = enforced.segments[0].question.sentences[0]
    assert question.en == "What measures will MIIT take in this regard?"
    assert question.terms[0]["found"] and not question.problems
    assert enforced.translator.endswith("glossary enforced")


def test_html_input_is_unescaped_exactly_once():
    page = ("<html><head><title>发布会</title></head><body><p>记者：请问&amp;lt;b&amp;gt;是什么？</p>"
            "<p>王文涛：页面上写着&lt;script&gt;alert(1)&lt;/script&gt;。</p></body></html>")
    brief = make_brief(page, None)
    # what the page showed: "&lt;b&gt;" in the question, "<script>…" in the answer, as text
    assert brief.segments[0].question.sentences[0].zh == "请问&lt;b&gt;是什么？"
    assert brief.segments[0].answers[0].sentences[0].zh == f"页面上写着{XSS}。"
    html = render_html(brief, standalone=True)
    assert XSS not in html and "&amp;lt;b&amp;gt;" in html
    md = render_markdown(brief)
    assert XSS not in md and "&amp;lt;b&amp;gt;" in md


def test_key_figures_list_every_quantity_of_the_answers(seed_transcript):
    from qabrief.fidelity import chinese_quantities

    brief = make_brief(seed_transcript, None)
    for seg in brief.segments:
        stated = [q.text for t in seg.answers for s in t.sentences for q in chinese_quantities(s.zh)]
        assert [f.text for f in seg.figures] == stated
    nev = brief.segments[2]  # the new-energy-vehicle answer
    by_text = {f.text: f for f in nev.figures}
    assert by_text["700萬"].value == "7,000,000" and by_text["700萬"].unit == "輛"
    assert by_text["85%"].kind == "percent" and by_text["85%"].unit == ""
    assert by_text["2.2倍"].value == "2.2 times"
    assert all(f.zh in [s.zh for t in nev.answers for s in t.sentences] for f in nev.figures)
    data = json.loads(render_json(brief))
    assert [f["text"] for f in data["segments"][2]["figures"]] == [f.text for f in nev.figures]
    assert "Key figures (11)" in render_html(brief) and "| 700萬 (7,000,000) | 輛 |" in render_markdown(brief)


def test_a_figure_whose_english_lost_its_number_is_marked(translator):
    brief = make_brief("记者：请问推广情况如何？\n肖亚庆：累计推广已经超过了700万辆。", translator, Budget(sentences=1))
    (figure,) = brief.segments[0].figures
    assert figure.text == "700万" and figure.en == "Cumulative promotion has exceeded 700 vehicles." and figure.lost
    assert "⚠ number lost" in render_html(brief) and "⚠ _number not in the English_" in render_markdown(brief)


class CallCounter(Translator):
    """Identity English that records the size of every call."""

    cache_key = "call-counter"
    description = "call counter"

    def __init__(self, call_size=0, fail_on_call=None):
        self.call_size, self.fail_on_call, self.calls = call_size, fail_on_call, []

    def translate_detailed(self, sentences):
        from qabrief.translate.base import Translation

        self.calls.append(len(sentences))
        if len(self.calls) == self.fail_on_call:
            raise RuntimeError("CUDA error: device-side assert triggered")
        return [Translation(s, f"EN {s}") for s in sentences]


def test_a_gpu_translator_gets_the_whole_brief_in_one_call(seed_transcript):
    per_qa, whole = CallCounter(), CallCounter(call_size=512)
    make_brief(seed_transcript, per_qa, full_text=True)
    brief = make_brief(seed_transcript, whole, full_text=True)
    opening = sum(len(t.sentences) for t in seed_transcript.opening)
    sentences = opening + sum(len(t.sentences) for seg in seed_transcript.segments for t in seg.turns)
    # after the one call for titles, names and keywords: the opening, then each Q&A
    assert per_qa.calls[1:] == [opening] + [sum(len(t.sentences) for t in seg.turns) for seg in seed_transcript.segments]
    assert whole.calls[1:] == [sentences]
    assert all(s.en == f"EN {s.zh}" for seg in brief.segments for t in seg.answers for s in t.sentences)


def test_a_translator_failing_part_way_keeps_the_chinese_and_says_why(seed_transcript):
    translator = CallCounter(fail_on_call=4)  # titles, opening, Q&A 1, then Q&A 2 fails
    brief = make_brief(seed_transcript, translator, full_text=True)
    assert brief.english_error == "RuntimeError: CUDA error: device-side assert triggered"
    assert "English stopped: RuntimeError: CUDA error" in brief.notice
    first, second = brief.segments[0], brief.segments[1]
    assert all(s.en for t in first.answers for s in t.sentences)  # the English made before stays
    assert all(s.en is None and s.zh for t in second.answers for s in t.sentences)  # the Chinese is whole
    html = render_html(brief)
    assert html.count('class="card qa"') == 7 and "English stopped" in html and "not translated" in html
    data = json.loads(render_json(brief))
    assert data["english_error"] == brief.english_error and "english_trace" not in data
    assert "English stopped" in render_markdown(brief)
