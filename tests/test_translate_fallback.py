"""No brief lost to the fast path's libraries (issue 21): CTranslate2 proves it can compute
at load, `auto` falls back to transformers with the reason in the header, and a translator
that fails at run time costs a request its English, never its Chinese.

The GPU failure is simulated on the CPU where it happens on a GPU: at CTranslate2's first
computation ("Library libcublas.so.12 is not found or cannot be loaded")."""

import json
import time

import pytest

from qabrief import QabriefError
from qabrief.cli import main
from qabrief.translate import load_translator

ctranslate2 = pytest.importorskip("ctranslate2", reason="the ct2 backend is the optional extra qabrief[fast]")

NO_CUBLAS = "Library libcublas.so.12 is not found or cannot be loaded"
MEMORISED = ("我们已建成超过100万座基站。", "We have built more than 1 million base stations.")


class _FailingCT2:
    """ctranslate2.Translator whose computations raise as CTranslate2 does without cuBLAS 12."""

    real = ctranslate2.Translator

    def __init__(self, *args, **kwargs):
        self._model = self.real(*args, **kwargs)

    def translate_batch(self, *args, **kwargs):
        raise RuntimeError(NO_CUBLAS)


@pytest.fixture
def no_cublas(monkeypatch):
    monkeypatch.setattr(ctranslate2, "Translator", _FailingCT2)


def test_a_missing_library_at_the_first_computation_falls_back_to_transformers(models, no_cublas):
    translator = load_translator(models / "tiny", backend="auto", cache=False)
    assert translator.backend == "transformers"
    assert translator.description.startswith("transformers")
    assert f"CTranslate2 cannot run on cpu: {NO_CUBLAS}; fix: pip install nvidia-cublas-cu12" in translator.description
    assert translator.translate([MEMORISED[0]]) == [MEMORISED[1]]


def test_backend_ct2_names_the_fix(models, no_cublas, capsys):
    with pytest.raises(QabriefError, match=r"cannot run on cpu: .*libcublas\.so\.12.*pip install nvidia-cublas-cu12"):
        load_translator(models / "tiny", backend="ct2", cache=False)
    assert main(["translate", MEMORISED[0], "--model", str(models / "tiny"), "--backend", "ct2"]) == 2
    assert "pip install nvidia-cublas-cu12" in capsys.readouterr().err


def test_a_batch_brief_survives_and_its_header_says_why(models, no_cublas, tmp_path, capsys):
    # a transcript of a memorised sentence: the tiny model's English of anything else runs to the
    # length cap (the seed took 146 s here), and the memorised one shows the fallback really translated
    src = tmp_path / "briefing.txt"
    src.write_text(f"记者：请问基站建设进展如何？\n王文涛：{MEMORISED[0]}", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--model", str(models / "tiny"), "--format", "json",
                 "--no-cache"]) == 0
    brief = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert brief["translator"].startswith("transformers") and NO_CUBLAS in brief["translator"]
    assert brief["english_error"] is None
    answer = brief["segments"][0]["answers"][0]["sentences"]
    assert [s["en"] for s in answer if s["summary"]] == [MEMORISED[1]]


def test_a_model_published_for_ctranslate2_only_moves_to_the_cpu(tmp_path, monkeypatch):
    """quickmt-style models have no transformers form: `auto` device gives the GPU up, never the model."""
    from qabrief.translate import IdentityTranslator
    from qabrief.translate.ct2 import CT2Unavailable

    calls = []

    def fake(folder, label, device="auto", **kwargs):
        calls.append(device)
        if device != "cpu":
            raise CT2Unavailable(f"CTranslate2 cannot run on cuda:0: {NO_CUBLAS}", "cuda:0")
        return IdentityTranslator()

    monkeypatch.setattr("qabrief.translate.ct2.CT2Translator", fake)
    folder = tmp_path / "native"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"")
    (folder / "config.json").write_text("{}")
    translator = load_translator(folder, device="auto", cache=False)
    assert calls == ["auto", "cpu"] and NO_CUBLAS in translator.description
    with pytest.raises(QabriefError, match="cannot run on cuda:0"):
        load_translator(folder, device="cuda", cache=False)


def test_auto_means_the_best_path_that_works_here(models, monkeypatch):
    """Apple's GPU and a CUDA GPU that CTranslate2 cannot see go to transformers, not to CTranslate2 on the CPU."""
    import qabrief.translate.loading as loading
    from qabrief.translate.registry import resolve_model

    resolved = resolve_model(str(models / "tiny"))
    assert loading.first_route(resolved, "mps", "auto").backend == "transformers"
    monkeypatch.setattr(loading, "torch_sees_a_gpu", lambda: True)
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    route = loading.first_route(resolved, "auto", "auto")
    assert route.backend == "transformers" and route.reason == "CTranslate2 sees no CUDA GPU that torch sees"
    monkeypatch.setattr(loading, "torch_sees_a_gpu", lambda: False)
    assert loading.first_route(resolved, "auto", "auto").backend == "ct2"  # no GPU at all: CTranslate2 on the CPU


class _FailsOnFirstTranslation(_FailingCT2):
    """Passes the load-time probe, then fails at its first real call: a failure the probe could not see."""

    def translate_batch(self, tokens, **kwargs):
        if kwargs.get("max_decoding_length") == 4 and kwargs.get("beam_size") == 1:  # the probe
            return self._model.translate_batch(tokens, **kwargs)
        raise RuntimeError("CUDA error: an illegal memory access was encountered")


def test_the_app_keeps_the_chinese_when_the_translator_fails_and_serves_the_fallback_next(models, monkeypatch,
                                                                                            seed_text):
    import qabrief.app as app
    import qabrief.model_pool as model_pool

    monkeypatch.setenv("QABRIEF_MODEL", str(models / "tiny"))
    monkeypatch.setenv("QABRIEF_CACHE", "off")
    monkeypatch.setattr(ctranslate2, "Translator", _FailsOnFirstTranslation)
    text = f"记者：请问如何看待？\n王文涛：{MEMORISED[0]}谢谢你的提问。"

    stages = [s for s in app.stream_page(text, None, 0, "Full text", str(models / "tiny"), "auto") if s[0] is not None]
    first, files = stages[-1]
    assert "Could not make a brief" not in first and files  # a brief, with its downloads
    assert "王文涛" in first and MEMORISED[0] in first  # the Chinese cards stay
    assert "English stopped" in first and "illegal memory access" in first and "RuntimeError" in first
    assert any("translating…" in html for html, _ in stages[:-1])  # the Chinese was streamed before the failure

    second, _ = app.run_page(text, None, 0, "Full text", str(models / "tiny"), "auto")
    assert "English stopped" not in second and MEMORISED[1] in second
    assert "transformers" in second and "illegal memory access" in second  # the fallback, and why, in the header

    # the usual minute later the first choice is tried again
    later = time.monotonic() + model_pool.RETRY_FAILED_AFTER_S + 1
    monkeypatch.setattr(model_pool.time, "monotonic", lambda: later)
    monkeypatch.setattr(ctranslate2, "Translator", _FailingCT2.real)
    third, _ = app.run_page(text, None, 0, "Full text", str(models / "tiny"), "auto")
    assert "CTranslate2 int8 on cpu" in third and MEMORISED[1] in third and "illegal memory access" not in third


def test_warm_up_runs_the_batchers_shapes_and_changes_nothing(tiny_model_dir, memorized_pairs):
    translator = load_translator(tiny_model_dir, backend="transformers", cache=False)
    shapes = translator.warm_shapes()
    lengths = sorted({length for length, _ in shapes})
    assert lengths == [8, 16, 24, 32, 48] and all(length <= translator.limit - 2 for length in lengths)
    assert (8, 1) in shapes and max(size for _, size in shapes) == translator.max_batch_sentences
    assert translator.warm_up() == len(shapes) and translator.model_calls == 0
    assert translator.translate([MEMORISED[0]]) == [MEMORISED[1]]


def test_the_batch_command_warms_a_gpu_model_and_only_a_gpu_model(tiny_model_dir, monkeypatch, tmp_path, seed_path):
    from qabrief.translate.hf import HFTranslator

    warmed = []
    monkeypatch.setattr(HFTranslator, "warm_up", lambda self: warmed.append(self.device) or 0)
    args = ["batch", str(seed_path), "--model", str(tiny_model_dir), "--backend", "transformers", "--format", "json",
            "--no-cache", "--sentences", "1"]
    assert main([*args, "--out", str(tmp_path / "cpu")]) == 0
    assert warmed == []  # nothing to warm on a CPU
    monkeypatch.setattr(HFTranslator, "on_gpu", property(lambda self: True))
    assert main([*args, "--out", str(tmp_path / "gpu")]) == 0
    assert warmed == ["cpu"]  # "on the GPU" for this test: warmed once, before the first document


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="a GPU is present: the benchmark would run")
def test_the_gpu_benchmark_says_there_is_no_gpu_and_exits_cleanly():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "translate_throughput.py"
    out = subprocess.run([sys.executable, str(script), "--device", "cuda"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "no CUDA GPU here" in out.stdout
