"""Refinement (issue 35): a second model's English for the summary, sentence by sentence.

The fast model is the tiny Marian (tests/data/memorize_pairs.tsv), the refiner the tiny causal
LM under a language-model preset's name (tests/data/causal_pairs.tsv), both loaded through the
loading policy as users' models are. The causal LM was taught to drop the number of one
sentence (1.68亿) and to answer another in Chinese: refinement must keep the fast English there."""

import json
import re
import shutil

import pytest

from qabrief.brief import make_brief
from qabrief.cli import main
from qabrief.refine import refine_stages, to_refine
from qabrief.render import render_html, render_json, render_markdown
from qabrief.summarize import Budget
from qabrief.translate import load_translator
from qabrief.translate.base import TranslatorWrapper

pytestmark = pytest.mark.slow

ANSWER = ["我们已建成超过100万座基站。", "新能源汽车产销量连续多年位居全球第一。", "5G手机出货量达到1.68亿部。",
          "我们欢迎各国企业。"]
TRANSCRIPT = "记者：请问5G和新能源汽车进展如何？\n王文涛：" + "".join(ANSWER)


@pytest.fixture
def models(causal_models, tiny_model_dir):
    shutil.copytree(tiny_model_dir, causal_models / "tiny")  # the fast model beside the presets
    return causal_models


class Recording(TranslatorWrapper):
    """The refiner as it is, recording what it was asked and the brief's state at each call."""

    def __init__(self, inner, brief_state):
        super().__init__(inner)
        self.asked, self.brief_state, self.seen = [], brief_state, []

    def translate_detailed(self, sentences):
        self.asked += list(sentences)
        self.seen.append(self.brief_state())
        return self.inner.translate_detailed(sentences)


def test_refined_english_replaces_the_fast_english_in_order_unless_it_loses_a_number(models):
    fast = load_translator(str(models / "tiny"), backend="transformers", cache=False)
    brief = make_brief(TRANSCRIPT, fast, Budget(sentences=8))
    answer = brief.segments[0].answers[0].sentences
    assert [s.zh for s in answer] == ANSWER and all(s.summary for s in answer)
    fast_english = [s.en for s in answer]
    assert fast_english[0] == "We have built more than 1 million base stations."
    assert fast_english[2] == "5G phone shipments reached 168 million units."
    assert all(s.en_source == "machine" and s.en_model == fast.description for s in answer)

    sources = lambda: [s.en_source for s in answer]  # noqa: E731
    refiner = Recording(load_translator("qwen2.5-7b-instruct", device="cpu", cache=False), sources)
    refiner.call_size = 1  # one sentence a call, as a slow CPU model goes: each card changes as it arrives
    stages = [sources() for _ in refine_stages(brief, refiner)]
    question = brief.segments[0].question.sentences
    assert [a.sentence if hasattr(a, "sentence") else a for a in refiner.asked] == [s.zh for s in question] + ANSWER
    # sentence by sentence, in document order: each yield shows one more sentence done
    assert stages[len(question):len(question) + 2] == [["refined", "machine", "machine", "machine"],
                                                       ["refined", "refined", "machine", "machine"]]
    assert answer[0].en == "We have built more than 1 million base stations." and answer[0].en_model == refiner.description
    assert answer[1].en == "Production and sales of new energy vehicles have ranked first in the world for years."
    assert answer[1].en_source == "refined" and answer[1].en != fast_english[1]
    # the refiner dropped 1.68亿 (taught "reached a record high"): the fast English, which kept it, stays
    assert answer[2].en == fast_english[2] and answer[2].en_source == "machine"
    assert "1.68亿" in answer[2].refine_note and "stays" in answer[2].refine_note
    # the refiner answered in Chinese: broken, so the fast English stays
    assert answer[3].en == fast_english[3] and "broken" in answer[3].refine_note
    assert not brief.refining and brief.refiner == refiner.description and brief.refine_error is None

    data = json.loads(render_json(brief))["segments"][0]["answers"][0]["sentences"]
    assert [s["en_model"] for s in data] == [refiner.description, refiner.description, fast.description,
                                             fast.description]
    assert [s["en_source"] for s in data] == ["refined", "refined", "machine", "machine"]
    html, markdown = render_html(brief), render_markdown(brief)
    assert "refined" in html and "1.68亿" in html and "refined" in markdown


def test_official_and_memory_english_is_never_refined_and_a_failing_refiner_keeps_the_fast_english(models):
    fast = load_translator(str(models / "tiny"), backend="transformers", cache=False)
    brief = make_brief(TRANSCRIPT, fast, Budget(sentences=8))
    answer = brief.segments[0].answers[0].sentences
    # as the official-English path leaves them (tests/test_official_brief.py makes them for real)
    answer[0].en, answer[0].en_source = "We have built over one million base stations.", "official"
    answer[1].en_source = "memory"
    assert answer[0] not in to_refine(brief) and answer[1] not in to_refine(brief)

    class DiesAfterOne(TranslatorWrapper):
        calls = 0

        def translate_detailed(self, sentences):
            DiesAfterOne.calls += 1
            if DiesAfterOne.calls > 1:
                raise RuntimeError("llama_decode returned -3 (out of memory)")
            return self.inner.translate_detailed(sentences)

    refiner = DiesAfterOne(load_translator("qwen2.5-7b-instruct", device="cpu", cache=False))
    refiner.call_size = 1
    before = [(s.en, s.en_source) for s in answer]
    *_, last = refine_stages(brief, refiner)
    assert [(s.en, s.en_source) for s in answer][:2] == before[:2]  # official and memory untouched
    assert [(s.en, s.en_source) for s in answer][2:] == before[2:]  # the rest keep the fast English
    assert "Refinement stopped after 1 of" in last.notice and "out of memory" in last.notice
    assert last.refine_error.startswith("RuntimeError")


def test_the_commands_refine_and_say_why_where_they_keep_the_fast_english(models, tmp_path, capsys):
    code = main(["translate", "".join(ANSWER[:3]), "--model", str(models / "tiny"), "--refine", "qwen2.5-7b-instruct",
                 "--device", "cpu", "--backend", "transformers", "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "refined: Production and sales of new energy vehicles have ranked first in the world for years." in out
    assert "refined: not taken:" in out and "1.68亿" in out

    src = tmp_path / "in"
    src.mkdir()
    (src / "briefing.txt").write_text(TRANSCRIPT, encoding="utf-8")
    common = ["batch", str(src), "--model", str(models / "tiny"), "--device", "cpu", "--backend", "transformers", "--format",
              "json", "--sentences", "8", "--no-cache"]
    assert main([*common, "--out", str(tmp_path / "out"), "--refine", "qwen2.5-7b-instruct"]) == 0
    brief = json.loads((tmp_path / "out" / "briefing.json").read_text(encoding="utf-8"))
    answer = brief["segments"][0]["answers"][0]["sentences"]
    assert [s["en_source"] for s in answer] == ["refined", "refined", "machine", "machine"]
    assert brief["refiner"] and all(s["en_model"] for s in answer)
    # a run with another refiner (or none) is another brief: nothing is "already done"
    capsys.readouterr()
    assert main([*common, "--out", str(tmp_path / "out")]) == 0
    assert "1 written, 0 already done" in capsys.readouterr().out
    assert main([*common, "--out", str(tmp_path / "out"), "--refine", "qwen2.5-7b-instruct", "--engine", "ray"]) == 2
    assert "--refine runs on the local engine" in capsys.readouterr().err


def test_the_page_refines_card_by_card_after_the_fast_english(models, monkeypatch):
    from qabrief import app

    # a language model runs on a CPU only when asked by name: the operator offers the CPU
    monkeypatch.setenv("QABRIEF_DEVICES", "auto,cpu")
    monkeypatch.setenv("QABRIEF_BACKENDS", "auto,transformers")
    pages = [html for html, _ in app.stream_page(TRANSCRIPT, None, 8, app.SCOPES[0], "tiny", "cpu", None,
                                                   "transformers", refine="qwen2.5-7b-instruct") if html]
    fast = next(i for i, html in enumerate(pages) if "168 million units" in html)
    refining = [i for i, html in enumerate(pages) if "(refining…)" in html]
    assert refining and fast <= refining[0]  # the fast English first, then the refinement
    last = pages[-1]
    assert re.search(r"refined by [^:]+: \d+ of \d+ summary sentences", last) and "(refining…)" not in last
    assert 'class="src refined"' in last and "Production and sales of new energy vehicles" in last
    assert "refinement not taken" in last and "1.68亿" in last


def test_a_refiner_that_cannot_load_leaves_the_fast_english_and_the_page_says_what_to_install(models, monkeypatch):
    import sys

    from qabrief import app
    from qabrief.translate.registry import MODELS

    monkeypatch.setenv("QABRIEF_DEVICES", "auto,cpu")
    monkeypatch.setenv("QABRIEF_BACKENDS", "auto,transformers")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # `import llama_cpp` raises ImportError
    gguf = models / "hy-mt2-1.8b-gguf"
    gguf.mkdir()
    (gguf / MODELS["hy-mt2-1.8b-gguf"].file).write_bytes(b"GGUF")  # downloaded, but llama.cpp is not installed
    pages = [html for html, _ in app.stream_page(TRANSCRIPT, None, 8, app.SCOPES[0], "tiny", "cpu", None,
                                                   "transformers", refine="hy-mt2-1.8b-gguf") if html]
    fast = next(i for i, html in enumerate(pages) if "168 million units" in html)
    last = pages[-1]
    assert all("168 million units" in html for html in pages[fast:])  # never erased
    assert "Refinement with hy-mt2-1.8b-gguf is off" in last and "pip install -e &quot;.[gguf]&quot;" in last
    assert "(refining…)" not in last and 'class="src refined"' not in last and "refined by" not in last
