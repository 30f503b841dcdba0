"""`qabrief eval` (issue 22): scores that mean something on the tiny model, every column on the
Foreign Ministry slice, and bad reference files named by line."""

import json
import sys

import pytest

from qabrief.cli import main
from qabrief.evaluation.references import DEFAULT_SET, corpus_path, load_reference

pytest.importorskip("sacrebleu")
needs_corpus = pytest.mark.skipif(not corpus_path().is_file(), reason="needs ../shared/corpus/bilingual")


def write_tsv(path, pairs):
    path.write_text("# zh<TAB>en\n" + "".join(f"{zh}\t{en}\n" for zh, en in pairs), encoding="utf-8")
    return path


def run_json(capsys, *args) -> list[dict]:
    assert main(["eval", *args, "--json", "--no-comet"]) == 0
    return json.loads(capsys.readouterr().out)


def test_memorised_pairs_score_100_and_others_lower(tiny_model_dir, memorized_pairs, seed_transcript, tmp_path,
                                                     capsys):
    memorised = [(zh, en) for zh, en in memorized_pairs if en and "陆陆续续" not in zh]
    (score,) = run_json(capsys, "--model", str(tiny_model_dir), "--reference", str(write_tsv(tmp_path / "m.tsv",
                                                                                              memorised)))
    assert score["chrf"] == pytest.approx(100.0) and score["bleu"] == pytest.approx(100.0)
    assert score["pairs"] == len(memorised) and score["sentences_per_s"] > 0 and score["peak_mb"] > 0
    # 100万, 1.68亿, 2.2倍, 103.7万 survive; 700万 rendered "700" is the one the model lost
    assert score["numbers_total"] - score["numbers_kept"] == 1
    unseen = [(s.text, "The ministry will keep promoting high-quality development.")
              for s in seed_transcript.segments[1].answer[0].sentences[:8]]
    (other,) = run_json(capsys, "--model", str(tiny_model_dir), "--reference", str(write_tsv(tmp_path / "o.tsv",
                                                                                              unseen)))
    assert 0.0 <= other["chrf"] < 60.0 and other["pairs"] == len(unseen) > 1


@needs_corpus
def test_the_mfa_slice_runs_end_to_end_and_prints_every_column(tiny_model_dir, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "comet", None)  # as where unbabel-comet is not installed
    assert main(["eval", "--model", str(tiny_model_dir), "--limit", "12"]) == 0
    out = capsys.readouterr().out
    assert f"reference: {DEFAULT_SET}" in out
    head = next(line for line in out.splitlines() if line.startswith("model "))
    for column in ("chrF", "chrF++", "BLEU", "numbers", "terms", "sent/s", "peak MB", "COMET"):
        assert column in head
    row = next(line for line in out.splitlines() if line.startswith(str(tiny_model_dir)[-28:]))
    assert " 12 " in row and "CTranslate2" in row
    comet_ends = head.index("COMET") + len("COMET")  # the column is right-aligned under its name
    assert row[comet_ends - 6:comet_ends].strip() == "-"  # no score where COMET could not run
    assert out.splitlines()[-1] == "COMET skipped: pip install unbabel-comet"  # and the note says why


@needs_corpus
def test_the_default_slice_is_fixed():
    name, pairs = load_reference(None)
    assert name == DEFAULT_SET
    dates = sorted({p.origin.split()[0] for p in pairs})
    assert dates[0] >= "2019-11-19" and dates[-1] <= "2019-12-31" and len(dates) == 24  # of the 30, counts agree in 24
    assert not any(p.zh.startswith(("问：", "答：")) or p.en.startswith(("Q:", "A:")) for p in pairs)
    assert load_reference(None)[1] == pairs  # same pairs, same order


def test_a_malformed_reference_gets_one_line_naming_it(tmp_path, capsys):
    bad = tmp_path / "bad.tsv"
    bad.write_text("谢谢。\tThank you.\n\n只有中文没有英文\n", encoding="utf-8")
    assert main(["eval", "--model", "none", "--reference", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("qabrief: error: bad.tsv:3: expected 'Chinese<TAB>English'") and "\n" not in err
    broken = tmp_path / "conferences.jsonl"
    broken.write_text('{"date": "2019-01-01", "zh": {"paras": []}, "en": {"paras": []}}\n{"date": 1}\n')
    assert main(["eval", "--reference", str(broken)]) == 2
    assert "conferences.jsonl:2: not a conference record" in capsys.readouterr().err


def test_a_model_that_cannot_load_is_a_row_not_a_crash(tiny_model_dir, memorized_pairs, tmp_path, capsys,
                                                       isolated_hub):
    tsv = write_tsv(tmp_path / "m.tsv", [p for p in memorized_pairs if p[1]][:3])
    scores = run_json(capsys, "--model", "opus-mt-zh-en", "--model", str(tiny_model_dir), "--reference", str(tsv))
    assert scores[0]["chrf"] is None and "qabrief models download opus-mt-zh-en" in scores[0]["note"]
    assert scores[1]["chrf"] is not None
