"""The loading policy under load and at run time (issue 30): one language model at a time however
requests arrive, out of memory backs off, a run stops calling a dead path, and conversions
follow the folder they came from."""

from __future__ import annotations

import json
import shutil
import threading
import time

import pytest

from qabrief.cli import main
from qabrief.model_pool import TranslatorPool
from qabrief.translate import load_translator
from qabrief.translate.base import TranslatorWrapper


@pytest.fixture
def retrained(tiny_model_dir, tmp_path):
    """Another model of the same shape: the tiny one with its weights nudged (as a retraining changes them)."""
    from safetensors.torch import load_file, save_file

    folder = tmp_path / "retrained"
    shutil.copytree(tiny_model_dir, folder)
    weights = next(folder.glob("*.safetensors"))
    tensors = load_file(weights)
    name = next(n for n, t in tensors.items() if t.is_floating_point())
    tensors[name] = tensors[name] + 0.01
    save_file(tensors, weights, metadata={"format": "pt"})
    return folder

LANGUAGE_MODELS = ("qwen2.5-7b-instruct", "hunyuan-mt-7b", "seed-x-ppo-7b")
TEXT = "第一场发布会\n记者：请问工信部在这方面有哪些推进举措？\n王文涛：谢谢你的提问。我们已建成超过100万座基站。\n"


class _Watched(TranslatorWrapper):
    """The test's own view of a loaded model: when it lives, and whether it is called after its unload."""

    def __init__(self, inner, state):
        super().__init__(inner)
        self.state, self.closed = state, False

    def translate_detailed(self, sentences):
        if self.closed:
            raise RuntimeError("called after it was unloaded: a brief's calls were split by an eviction")
        time.sleep(0.05)  # briefs overlap
        return self.inner.translate_detailed(sentences)

    def close(self):
        with self.state["lock"]:
            self.closed = True
            self.state["live"] -= 1
        self.inner.close()


@pytest.mark.slow
def test_six_first_requests_across_three_language_models_never_hold_two(tiny_causal_dir, tmp_path, monkeypatch):
    import qabrief.app as app

    folder = tmp_path / "models"
    for name in LANGUAGE_MODELS:
        shutil.copytree(tiny_causal_dir, folder / name)
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(folder))
    state = {"lock": threading.Lock(), "live": 0, "most": 0, "loads": 0}

    def loader(model, device="auto", backend="auto", **options):
        with state["lock"]:
            state["live"] += 1  # loading counts: its memory is taken from the start
            state["most"] = max(state["most"], state["live"])
            state["loads"] += 1
        try:
            translator = load_translator(model, device, backend=backend, cache=False, **options)
        except Exception:
            with state["lock"]:
                state["live"] -= 1
            raise
        time.sleep(0.2)  # a load takes a while: requests for the others arrive meanwhile
        return _Watched(translator, state)

    monkeypatch.setattr(app, "_pool", TranslatorPool(loader, policy=None, max_models=4))
    start, results = threading.Barrier(6), {}

    def request(n):
        start.wait()
        results[n] = app.build_brief(TEXT, None, 0, "Full text", LANGUAGE_MODELS[n % 3], "cpu")

    threads = [threading.Thread(target=request, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 6 and state["most"] == 1 and state["loads"] >= 1
    served = 0
    for brief in results.values():
        assert [s.zh for s in brief.segments[0].answers[0].sentences] == ["谢谢你的提问。", "我们已建成超过100万座基站。"]
        if brief.translated:
            assert brief.english_error is None  # no call of its brief was split by an eviction
            served += 1
        else:
            assert "Chinese only for now: the server is translating with" in brief.notice
    assert served >= 1


def test_out_of_memory_halves_the_batch_until_it_fits(tiny_model_dir, memorized_pairs, monkeypatch, caplog):
    import torch

    from qabrief.translate.hf import HFTranslator

    real, sizes, served = HFTranslator._generate_batch, [], []

    def generate(self, texts, *args, **kwargs):
        sizes.append(len(texts))
        if len(texts) > 2:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (simulated)")
        served.append(len(texts))
        return real(self, texts, *args, **kwargs)

    monkeypatch.setattr(HFTranslator, "_generate_batch", generate)
    translator = load_translator(tiny_model_dir, backend="transformers", cache=False)
    pairs = [(zh, en) for zh, en in memorized_pairs if en and "one by one" not in en][:7]
    with caplog.at_level("WARNING", logger="qabrief.translate"):
        results = translator.translate_detailed([zh for zh, _ in pairs])
    assert [r.text for r in results] == [en for _, en in pairs]  # every sentence's English, none given up
    assert sizes[0] > 2 and served and max(served) <= 2  # the whole batch first, then halves until they fit
    assert any("halving" in r.getMessage() for r in caplog.records)

    def never(self, texts, *args, **kwargs):  # even one sentence does not fit: it is given up, and says so
        raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")

    monkeypatch.setattr(HFTranslator, "_generate_batch", never)
    given_up = translator.translate_detailed([pairs[0][0]])[0]
    assert given_up.text == "" and given_up.suspect and "out of memory" in given_up.reason


DEAD = "CUDA error: an illegal memory access was encountered (simulated)"


def test_a_batch_stops_calling_a_dead_path_and_its_fallback_takes_over(tiny_model_dir, tmp_path, monkeypatch,
                                                                         capfd, caplog):
    pytest.importorskip("ctranslate2")
    from qabrief.translate.ct2 import CT2Translator

    real, calls, dead = CT2Translator.translate_detailed, [], []

    def translate_detailed(self, sentences):
        calls.append(len(dead))
        if dead or any("第2场" in s for s in sentences):  # the GPU dies at the third document and stays dead
            dead.append(True)
            raise RuntimeError(DEAD)
        return real(self, sentences)

    monkeypatch.setattr(CT2Translator, "translate_detailed", translate_detailed)
    src = tmp_path / "in"
    src.mkdir()
    for n in range(10):
        (src / f"doc{n:02}.txt").write_text(TEXT.replace("第一场", f"第{n}场"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--model", str(tiny_model_dir), "--format", "json",
                 "--no-cache", "--fallback-after", "3"]) == 1
    console = capfd.readouterr()
    briefs = [json.loads((out / f"doc{n:02}.json").read_text(encoding="utf-8")) for n in range(10)]
    english = [[s["en"] for s in b["segments"][0]["answers"][0]["sentences"]] for b in briefs]
    for n in (0, 1):
        assert briefs[n]["translator"].startswith("CTranslate2") and english[n][1] == \
            "We have built more than 1 million base stations."
    for n in (2, 3):  # the first two failures: Chinese, and the reason
        assert DEAD in briefs[n]["english_error"] and english[n] == [None, None]
    for n in range(4, 10):  # the third failure switched: the fallback's English from then on
        assert briefs[n]["english_error"] is None and briefs[n]["translator"].startswith("transformers")
        assert "failed 3 times in a row" in briefs[n]["translator"] and DEAD in briefs[n]["translator"]
        assert english[n][1] == "We have built more than 1 million base stations."
    assert sum(map(bool, calls)) == 2  # called twice after it died, never again after the switch
    assert any("switching to transformers" in r.getMessage() for r in caplog.records)
    assert "Traceback" not in console.out + console.err
    assert "2 failed" in console.out  # the two without English are redone by the next run


def test_two_models_in_folders_of_one_name_get_two_conversions(tiny_model_dir, retrained, tmp_path, monkeypatch):
    pytest.importorskip("ctranslate2")
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    translators = []
    for run, model in (("run1", tiny_model_dir), ("run2", retrained)):
        shutil.copytree(model, tmp_path / run / "final")
        translators.append(load_translator(tmp_path / run / "final", backend="auto", cache=False))
    assert all(t.backend == "ct2" for t in translators)
    conversions = sorted(p.name for p in (tmp_path / "models").iterdir())
    assert len(conversions) == 2 and all(p.startswith("final-") and p.endswith("-ct2-int8") for p in conversions)
    assert translators[0].cache_key != translators[1].cache_key


def test_a_model_replaced_under_its_name_is_converted_again(tiny_model_dir, retrained, tmp_path, monkeypatch,
                                                            caplog):
    pytest.importorskip("ctranslate2")
    from qabrief.translate.autoconvert import recorded_source
    from qabrief.translate.fingerprint import folder_fingerprint

    models = tmp_path / "models"
    shutil.copytree(tiny_model_dir, models / "mine")
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(models))
    first = load_translator(models / "mine", backend="auto", cache=False)
    conversion = models / "mine-ct2-int8"
    before = recorded_source(conversion)
    assert first.backend == "ct2" and before == folder_fingerprint(models / "mine")
    shutil.rmtree(models / "mine")
    shutil.copytree(retrained, models / "mine")  # a retrained model under the same name
    with caplog.at_level("INFO", logger="qabrief.translate"):
        second = load_translator(models / "mine", backend="auto", cache=False)
    assert second.backend == "ct2" and recorded_source(conversion) == folder_fingerprint(models / "mine") != before
    assert any("converting again" in r.getMessage() for r in caplog.records)
    assert first.cache_key != second.cache_key  # the cache never serves the old model's English
