"""`qabrief batch`: failures reported, outputs atomic, interrupted runs resume."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qabrief.batch.manifest import load as load_manifest
from qabrief.cli import main
from qabrief.translate.base import Translation, Translator


def make_folder(tmp_path, seed_text):
    src = tmp_path / "in"
    src.mkdir()
    (src / "seed.txt").write_text(seed_text, encoding="utf-8")
    (src / "seed-gbk.txt").write_bytes(seed_text.encode("gbk"))
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.dat").write_bytes(bytes(range(256)) * 8)
    return src


def test_folder_with_bad_files(tmp_path, seed_text, capsys):
    src = make_folder(tmp_path, seed_text)
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--model", "none"]) == 1
    report = capsys.readouterr().out
    assert "2 written, 0 already done, 2 failed" in report
    assert "empty.txt" in report and "binary.dat" in report and "binary file" in report
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == sorted(f"{stem}.{ext}" for stem in ("seed", "seed-gbk") for ext in ("md", "html", "json"))
    briefs = [json.loads((out / f"{s}.json").read_text()) for s in ("seed", "seed-gbk")]
    assert all(len(b["segments"]) == 7 for b in briefs)
    # a second run redoes nothing
    assert main(["batch", str(src), "--out", str(out), "--model", "none", "--format", "md,html,json"]) == 1
    assert "0 written, 2 already done, 2 failed" in capsys.readouterr().out


def test_unknown_format(tmp_path, seed_path, capsys):
    assert main(["batch", str(seed_path), "--out", str(tmp_path), "--model", "none", "--format", "pdf"]) == 2
    assert "unknown format pdf" in capsys.readouterr().err


def test_killed_run_resumes_without_redoing_or_duplicating(tmp_path, seed_text):
    src = tmp_path / "in"
    src.mkdir()
    body = seed_text.split("\n", 4)[4]
    sentences = body.split("。")
    for i in range(24):  # 24 different transcripts: the seed with a sentence dropped
        variant = "。".join(sentences[:i + 5] + sentences[i + 6:])
        (src / f"doc{i:02d}.txt").write_text(variant, encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "qabrief.cli", "batch", str(src), "--out", str(out), "--model", "none",
           "--format", "json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    manifest = out / ".qabrief-batch.json"
    journal = out / ".qabrief-batch.journal"  # a line per finished document; the manifest comes at the end
    deadline = time.monotonic() + 120
    done_before = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.is_file():
            done_before = journal.read_text().count("\n")
            if done_before >= 3:
                os.killpg(proc.pid, signal.SIGKILL)
                break
        time.sleep(0.02)
    proc.wait(timeout=30)
    assert 3 <= done_before < 24 and not manifest.exists(), "the run must be killed halfway"
    done_before = len(load_manifest(out)[0]["documents"])
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{24 - done_before} written, {done_before} already done, 0 failed" in rerun.stdout
    outputs = sorted(p.name for p in out.iterdir())
    assert outputs == [".qabrief-batch.json"] + [f"doc{i:02d}.json" for i in range(24)]  # no duplicates, no temp files
    assert len(json.loads(manifest.read_text())["documents"]) == 24


class FailsOn(Translator):
    """Translates nothing (identity) but raises a plain RuntimeError on one marked sentence,
    as a library bug or a CUDA out-of-memory would."""

    cache_key = "fails-on"
    description = "test translator that raises on one document"

    def __init__(self, marker):
        self.marker = marker

    def translate_detailed(self, sentences):
        if any(self.marker in s for s in sentences):
            raise RuntimeError("CUDA out of memory (simulated)")
        return [Translation(s, s) for s in sentences]


def test_a_document_that_makes_the_translator_raise_does_not_stop_the_others(tmp_path, seed_text, monkeypatch,
                                                                             capsys):
    import qabrief.cli as cli

    src = make_folder(tmp_path, seed_text)
    (src / "poison.txt").write_text("记者：请问毒药如何？\n王文涛：毒药很好。", encoding="utf-8")
    monkeypatch.setattr(cli, "_translator_factory", lambda args: lambda: FailsOn("毒药"))
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--format", "json"]) == 1
    report = capsys.readouterr().out
    assert "2 written, 0 already done, 3 failed" in report
    assert ("FAILED" in report and "poison.txt: English failed (RuntimeError: CUDA out of memory (simulated)); "
            "the Chinese brief was written") in report
    log = (out / ".qabrief-batch.log").read_text(encoding="utf-8")
    assert "poison.txt" in log and "Traceback" in log and "translate_detailed" in log
    # the Chinese brief of the poisoned document is kept, with the reason in its header ...
    assert sorted(p.name for p in out.glob("[!.]*.json")) == ["poison.json", "seed-gbk.json", "seed.json"]
    poisoned = json.loads((out / "poison.json").read_text(encoding="utf-8"))
    assert poisoned["english_error"] == "RuntimeError: CUDA out of memory (simulated)"
    assert poisoned["segments"][0]["answers"][0]["sentences"][0]["zh"] == "毒药很好。"
    assert "English stopped: RuntimeError: CUDA out of memory (simulated)" in poisoned["notice"]
    # ... but it is not done: the next run translates it again, and only it
    assert main(["batch", str(src), "--out", str(out), "--format", "json"]) == 1
    assert "0 written, 2 already done, 3 failed" in capsys.readouterr().out


def test_ctrl_c_keeps_what_finished_and_says_so(tmp_path, seed_text, monkeypatch, capsys):
    import qabrief.batch.local as batch

    src = make_folder(tmp_path, seed_text)
    real = batch._brief_with_progress

    def interrupt_at_the_last(path, *args):  # sorted: binary.dat, empty.txt, seed-gbk.txt, seed.txt
        if path.name == "seed.txt":
            raise KeyboardInterrupt
        return real(path, *args)

    monkeypatch.setattr(batch, "_brief_with_progress", interrupt_at_the_last)
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--model", "none", "--format", "json"]) == 130
    assert "INTERRUPTED" in capsys.readouterr().out
    assert len(json.loads((out / ".qabrief-batch.json").read_text())["documents"]) == 1


@pytest.mark.parametrize("damage", ["{not json", "[1, 2, 3]", '{"version": 99, "documents": []}', ""])
def test_a_damaged_or_foreign_manifest_is_rebuilt_with_a_warning(tmp_path, seed_text, damage, capsys):
    src = make_folder(tmp_path, seed_text)
    out = tmp_path / "out"
    args = ["batch", str(src), "--out", str(out), "--model", "none"]
    assert main(args) == 1
    capsys.readouterr()
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if not p.name.startswith(".")}
    (out / ".qabrief-batch.json").write_text(damage, encoding="utf-8")
    assert main(args) == 1
    report = capsys.readouterr().out
    assert "0 written, 2 already done, 2 failed" in report
    assert "WARNING" in report and "rebuilt it from the outputs" in report and "2 finished document(s)" in report
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if not p.name.startswith(".")} == before
    manifest = json.loads((out / ".qabrief-batch.json").read_text())
    assert sorted(d["stem"] for d in manifest["documents"].values()) == ["seed", "seed-gbk"]
    assert all(d["source"] for d in manifest["documents"].values())


def test_a_rerun_with_other_options_replaces_the_briefs_under_the_same_names(tmp_path, seed_text, capsys):
    """Another summary length (or device, precision, model) rebriefs each source into its own
    file names; only a different source with the same name gets a suffix."""
    src = make_folder(tmp_path, seed_text)
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "seed.txt").write_text(seed_text + "\n主持人：今天的发布会到此结束。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--model", "none", "--format", "json"]) == 1
    first = json.loads((out / "seed.json").read_text())
    capsys.readouterr()
    assert main(["batch", str(src), str(other / "seed.txt"), "--out", str(out), "--model", "none", "--format", "json",
                 "--sentences", "1"]) == 1
    printed = capsys.readouterr().out
    assert "3 written, 0 already done, 2 failed" in printed, printed
    second = json.loads((out / "seed.json").read_text())
    assert second["batch_key"] != first["batch_key"]
    assert sum(s["summary"] for s in second["segments"][1]["answers"][0]["sentences"]) == 1
    names = sorted(p.name for p in out.iterdir())
    stranger = [n for n in names if n.startswith("seed-") and n != "seed-gbk.json"]
    assert len(stranger) == 1 and stranger[0].startswith("seed-") and ".qabrief-batch.journal" not in names
    manifest = json.loads((out / ".qabrief-batch.json").read_text())["documents"]
    assert sorted(d["stem"] for d in manifest.values()) == sorted(["seed", "seed-gbk", stranger[0][:-5]])


def test_a_huge_file_is_refused_from_its_size_without_being_read(tmp_path, seed_text, monkeypatch, capsys):
    src = make_folder(tmp_path, seed_text)
    huge = src / "archive-dump.txt"
    with open(huge, "wb") as fh:
        fh.truncate(3 << 30)  # 3 GB, sparse: no disk used
    opened = []
    real_open = open
    monkeypatch.setattr("qabrief.batch.jobs.open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k),
                        raising=False)
    real_read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read whole") if self == huge else real_read(self))
    assert main(["batch", str(src), "--out", str(tmp_path / "out"), "--model", "none", "--format", "json"]) == 1
    report = capsys.readouterr().out
    assert "FAILED" in report and "archive-dump.txt is 3072.0 MiB, over the 5 MiB limit" in report
    assert huge not in opened and opened  # the others were hashed through the same function
