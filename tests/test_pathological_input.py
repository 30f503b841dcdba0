"""Pasted junk must not stall a public endpoint: long runs of one character or figure.

Each of these once took minutes, raised or blew up the output: patterns that retried a run
from each of its characters (quadratic or worse), a noun lookup that segmented a whole
clause per figure, a 30,000-digit number that overflowed the key-figures table, and a
30,000-character "sentence" whose 6,000 figures each repeated it (a JSON of about 180 MB).
The 120 s limit is a hang detector with a wide margin (the whole set takes a few seconds),
not a speed goal."""

import json
import subprocess
import sys

FILLERS = ["A", "A.", "O'", "1", "12.5%", "2024年", "100万", "1,", " | Reuters", "Aa "]

SCRIPT = """
import json, sys
from qabrief.brief import chinese_brief
out = {}
for filler in json.loads(sys.argv[1]):
    brief = chinese_brief("记者：请问？\\n王毅：答" + filler * (30000 // len(filler)) + "好。")
    turns = [t for seg in brief.segments for t in [seg.question, *seg.answers] if t]
    kept = "".join(t.reference + "".join(s.zh for s in t.sentences) for t in turns)
    out[filler] = {"chars": len("".join(kept.split())),  # every character but spaces
                   "figures": [f.value for f in brief.segments[0].figures][:2],
                   "listed": len(brief.segments[0].figures), "left_out": brief.segments[0].figures_left_out,
                   "longest": max(len(s.zh) for t in turns for s in t.sentences)}
print(json.dumps(out))
"""


def test_long_runs_through_the_chinese_brief_finish_and_keep_the_text():
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(FILLERS)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    for filler in FILLERS:
        run = len("".join(filler.split())) * (30000 // len(filler))
        # nothing lost (a line that is nearly all Latin letters reads as English: it is kept,
        # with the question, not as 王毅's answer)
        assert out[filler]["chars"] >= run, filler
    # no "sentence" over 1000 characters: a run without punctuation is cut at the limit
    assert all(o["longest"] <= 1000 for o in out.values())
    digits = out["1"]["figures"][0]  # 999 digits after 答: too long for a float, shown as written
    assert set(digits) == {"1"} and len(digits) == 999
    # each figure repeats its sentence: at most 30 a sentence are listed, the rest counted
    dense = out["12.5%"]
    assert dense["figures"][:1] == ["12.5%"] and dense["listed"] == 30 * 30 and dense["left_out"] == 6000 - 900


def test_figures_beyond_the_caps_are_counted_and_said(monkeypatch):
    import qabrief.brief as brief_module
    from qabrief.brief import chinese_brief
    from qabrief.render.html import render_html
    from qabrief.render.markdown import render_markdown

    monkeypatch.setattr(brief_module, "MAX_FIGURES", 4)
    brief = chinese_brief("记者：请问？\n王毅：增长了3%，5%，7%。还有9个。\n记者：还有吗？\n王毅：有11个。")
    first, second = brief.segments
    assert [f.text for f in first.figures] == ["3%", "5%", "7%", "9"] and first.figures_left_out == 0
    assert second.figures == [] and second.figures_left_out == 1  # the brief's 4 are listed
    assert "1 more not listed: over 30 in a sentence" in render_html(brief)
    assert "1 more not listed" in render_markdown(brief)
    assert brief.to_dict()["segments"][1]["figures_left_out"] == 1


def test_half_a_megabyte_without_punctuation_is_cut_into_sentences_without_recursion():
    from qabrief import parse

    t = parse("记者：请问？\n王毅：答" + ("1" * 500 + " ") * 1000 + "。")  # once a RecursionError
    sentences = t.segments[0].answer[0].sentences
    assert len(sentences) >= 500 and all(len(s.text) <= 1000 for s in sentences)
    assert "".join(s.text for s in sentences).replace(" ", "") == "答" + "1" * 500_000 + "。"
