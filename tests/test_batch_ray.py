"""`qabrief batch --engine ray`: the local engine's outputs, failures and resumption, on Ray Data.

The module's runs share one local Ray instance (conftest's `shared_ray`: 2 CPUs, as in CI), but
for the killed batch, whose driver starts (and loses) its own."""

import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray.data")

from qabrief.batch import BatchOptions  # noqa: E402
from qabrief.batch.manifest import load as load_manifest  # noqa: E402
from qabrief.batch.ray_engine import run_batch_ray  # noqa: E402
from qabrief.cli import main  # noqa: E402


@pytest.fixture(autouse=True)
def _ray(request):
    if "own_ray" not in request.keywords:
        request.getfixturevalue("shared_ray")


def html_page(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(lines[0])}</title></head>"
            f"<body><div class='nav'>首页 | 新闻</div><article><h1>{html.escape(lines[0])}</h1>{body}</article>"
            "<footer>版权所有</footer></body></html>")


def mixed_folder(tmp_path: Path, seed_text: str) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "seed.txt").write_text(seed_text, encoding="utf-8")
    (src / "seed-gbk.txt").write_bytes(seed_text.encode("gbk"))
    (src / "page.html").write_text(html_page(seed_text), encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.dat").write_bytes(bytes(range(256)) * 8)
    return src


def outputs(folder: Path) -> dict[str, bytes]:
    """Each output's bytes, but for the thread count in the translator's description: an actor
    uses the CPUs Ray gave it (1 each here), the local engine all of them."""
    return {p.name: re.sub(rb", \d+ threads", b", N threads", p.read_bytes())
            for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_ray_engine_writes_the_local_engines_bytes(tmp_path, seed_text, tiny_model_dir, capsys):
    src = mixed_folder(tmp_path, seed_text)
    common = ["batch", str(src), "--model", str(tiny_model_dir), "--no-cache"]
    assert main([*common, "--out", str(tmp_path / "local")]) == 1
    local_report = capsys.readouterr().out
    assert main([*common, "--out", str(tmp_path / "ray"), "--engine", "ray", "--workers", "2"]) == 1
    ray_report = capsys.readouterr().out
    for report in (local_report, ray_report):
        assert "3 written, 0 already done, 2 failed" in report
        assert "empty.txt" in report and "binary.dat" in report
    local, on_ray = outputs(tmp_path / "local"), outputs(tmp_path / "ray")
    assert sorted(local) == sorted(f"{s}.{f}" for s in ("page", "seed", "seed-gbk") for f in ("md", "html", "json"))
    assert on_ray == local  # same names, same bytes
    brief = json.loads(local["page.json"])
    assert len(brief["segments"]) == 7 and brief["translated"]
    # the model ran in the actors: its English for every summary sentence, named in the header
    assert "CTranslate2 int8 on cpu" in brief["translator"]  # converted once, by the first task
    summary = [s for seg in brief["segments"] for t in [seg["question"], *seg["answers"]]
               for s in t["sentences"] if s["summary"]]
    assert summary and all(s["en"] and s["en"] != s["zh"] for s in summary)
    # a second Ray run redoes nothing
    assert main([*common, "--out", str(tmp_path / "ray"), "--engine", "ray"]) == 1
    assert "0 written, 3 already done, 2 failed" in capsys.readouterr().out


@pytest.mark.own_ray
def test_a_killed_ray_batch_resumes_without_redoing_or_duplicating(tmp_path, seed_text, tiny_model_dir):
    src = tmp_path / "in"
    src.mkdir()
    body = seed_text.split("\n", 4)[4]
    sentences = body.split("。")
    n = 10
    for i in range(n):  # different transcripts: the seed with a sentence dropped
        (src / f"doc{i:02d}.txt").write_text("。".join(sentences[:i + 5] + sentences[i + 6:]), encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "qabrief.cli", "batch", str(src), "--out", str(out), "--model", str(tiny_model_dir),
           "--format", "json", "--full-text", "--engine", "ray", "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    manifest = out / ".qabrief-batch.json"
    journal = out / ".qabrief-batch.journal"  # a line per finished document; the manifest comes at the end
    deadline = time.monotonic() + 240
    done_before = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.is_file():
            done_before = journal.read_text().count("\n")
            if done_before >= 2:
                os.killpg(proc.pid, signal.SIGKILL)  # the driver and the Ray instance it started
                break
        time.sleep(0.05)
    proc.wait(timeout=30)
    assert 2 <= done_before < n, f"the run must be killed halfway: {proc.stderr.read().decode()[-2000:]}"
    done_before = len(load_manifest(out)[0]["documents"])
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"{n - done_before} written, {done_before} already done, 0 failed" in rerun.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == [".qabrief-batch.json"] + [f"doc{i:02d}.json" for i in range(n)]  # no duplicates, no temp files
    assert len(json.loads(manifest.read_text())["documents"]) == n


def failing_translator_factory(marker: str):
    """A factory for the actors: an identity translator that raises on the marked document.
    Defined in a closure so Ray ships it by value to the workers."""
    def factory():
        from qabrief.translate.base import Translation, Translator

        class FailsOn(Translator):
            cache_key = "fails-on"
            description = "test translator that raises on one document"

            def translate_detailed(self, sentences):
                if any(marker in s for s in sentences):
                    raise RuntimeError("CUDA out of memory (simulated)")
                return [Translation(s, s) for s in sentences]

        return FailsOn()
    return factory


def three_seeds_and(tmp_path, seed_text, name: str, text: str):
    """An input folder: three different copies of the seed and one marked document."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"seed{i}.txt").write_text(seed_text + "\n" * (i + 1), encoding="utf-8")
    (src / name).write_text(text, encoding="utf-8")
    return src


def test_a_translator_that_raises_in_an_actor_costs_only_its_document(tmp_path, seed_text):
    src = three_seeds_and(tmp_path, seed_text, "poison.txt", "记者：请问毒药如何？\n王文涛：毒药很好。")
    out = tmp_path / "out"
    report = run_batch_ray([src], out, BatchOptions(["json"]), failing_translator_factory("毒药"),
                           show_progress=False, workers=1)
    assert sorted(p.name for p in report.written) == ["seed0.txt", "seed1.txt", "seed2.txt"]
    assert [(p.name, why) for p, why in report.failed] == [
        ("poison.txt", "English failed (RuntimeError: CUDA out of memory (simulated)); the Chinese brief was written")]
    log = (out / ".qabrief-batch.log").read_text(encoding="utf-8")
    assert "poison.txt" in log and "Traceback" in log and "translate_detailed" in log
    # its Chinese brief is written, as by the local engine, and it stays out of the manifest (redone next run)
    assert sorted(p.name for p in out.glob("[!.]*.json")) == ["poison.json", "seed0.json", "seed1.json", "seed2.json"]
    assert json.loads((out / "poison.json").read_text(encoding="utf-8"))["english_error"].startswith("RuntimeError")


@pytest.mark.own_ray
def test_without_ray_the_engine_names_the_extra(tmp_path, seed_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    assert main(["batch", str(seed_path), "--out", str(tmp_path), "--model", "none", "--engine", "ray"]) == 2
    assert "pip install 'qabrief[ray]'" in capsys.readouterr().err


def dying_translator_factory(marker: str, flag: str):
    """An identity translator whose process dies (as on a segfault or an OOM kill) the first
    time it meets the marked document; after the restart it translates it."""
    def factory():
        import os
        from pathlib import Path

        from qabrief.translate.base import Translation, Translator

        class DiesOnce(Translator):
            cache_key = "dies-once"
            description = "test translator whose worker dies once"

            def translate_detailed(self, sentences):
                if any(marker in s for s in sentences) and not Path(flag).exists():
                    Path(flag).write_text(str(os.getpid()))
                    os._exit(1)  # the whole worker process, not an exception
                return [Translation(s, s) for s in sentences]

        return DiesOnce()
    return factory


def test_a_worker_that_dies_is_restarted_and_nothing_is_lost_or_duplicated(tmp_path, seed_text):
    src = three_seeds_and(tmp_path, seed_text, "crash.txt", "记者：请问崩溃如何？\n王文涛：崩溃以后重启。")
    out, flag = tmp_path / "out", tmp_path / "died"
    report = run_batch_ray([src], out, BatchOptions(["json"]), dying_translator_factory("崩溃", str(flag)),
                           show_progress=False, workers=1)
    assert flag.exists(), "the worker never died: the test proved nothing"
    assert not report.failed
    assert sorted(p.name for p in report.written) == ["crash.txt", "seed0.txt", "seed1.txt", "seed2.txt"]
    assert sorted(p.name for p in out.iterdir()) == [".qabrief-batch.json", "crash.json", "seed0.json", "seed1.json",
                                                     "seed2.json"]


def gpu_share_factory():
    """An identity translator that says which GPU share Ray gave its actor."""
    def factory():
        import os

        import ray

        from qabrief.translate.base import IdentityTranslator

        translator = IdentityTranslator()
        translator.description = (f"gpu ids {ray.get_gpu_ids()}, "
                                  f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')}")
        return translator
    return factory


def test_gpus_per_worker_gives_each_actor_its_share(tmp_path, seed_text, shared_ray):
    """The resource plumbing on a CPU: Ray is told of one GPU (none exists), two actors share it."""
    src = three_seeds_and(tmp_path, seed_text, "extra.txt", "记者：请问如何？\n王文涛：很好。")
    assert shared_ray.cluster_resources().get("GPU") == 1
    report = run_batch_ray([src], tmp_path / "out", BatchOptions(["json"]), gpu_share_factory(),
                           show_progress=False, gpus_per_worker=0.5)
    assert not report.failed and len(report.written) == 4
    headers = {json.loads(p.read_text(encoding="utf-8"))["translator"] for p in (tmp_path / "out").glob("[!.]*.json")}
    assert headers == {"gpu ids [0], CUDA_VISIBLE_DEVICES=0"}
