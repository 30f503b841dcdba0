"""Both backends and the fallback on a real CUDA GPU (skipped without one; run with `pytest -m cuda`).

Written for the GPU a session may be lent (see README, "GPU"): the tiny memorised model
through the same `load_translator` path, on transformers fp16 and on CTranslate2, where
CTranslate2 can run; where it cannot (no CUDA 12 cuBLAS), the error names the fix and
`auto` serves transformers fp16 on the GPU instead."""

import pytest

from qabrief import QabriefError
from qabrief.translate import load_translator

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]
MEMORISED = ("我们已建成超过100万座基站。", "We have built more than 1 million base stations.")


def _ct2_gpus() -> int:
    try:
        import ctranslate2
    except ImportError:
        return 0
    return ctranslate2.get_cuda_device_count()


def test_transformers_fp16_and_warm_up_on_the_gpu(models, seed_path):
    from qabrief.brief import make_brief

    translator = load_translator(models / "tiny", device="cuda", backend="transformers", cache=False, warm=True)
    assert translator.description.startswith("transformers fp16 on cuda:0") and translator.call_size > 0
    assert translator.translate([MEMORISED[0]]) == [MEMORISED[1]]
    brief = make_brief(seed_path, translator, full_text=True)
    assert brief.english_error is None
    assert all(s.en is not None for seg in brief.segments for t in seg.answers for s in t.sentences)


@pytest.mark.skipif(not _ct2_gpus(), reason="CTranslate2 sees no CUDA GPU")
def test_ct2_on_the_gpu_runs_or_names_the_fix_and_auto_falls_back(models):
    try:
        fast = load_translator(models / "tiny", device="cuda", backend="ct2", cache=False)
    except QabriefError as exc:  # e.g. a machine with CUDA 13 only and no nvidia-cublas-cu12 wheel
        assert "pip install nvidia-cublas-cu12" in str(exc) or "cannot run on cuda" in str(exc)
        fallback = load_translator(models / "tiny", device="cuda", backend="auto", cache=False)
        assert fallback.description.startswith("transformers fp16 on cuda:0") and "CTranslate2" in fallback.description
        assert fallback.translate([MEMORISED[0]]) == [MEMORISED[1]]
        return
    assert fast.description.startswith("CTranslate2 int8_float16 on cuda:0")
    assert fast.translate([MEMORISED[0]]) == [MEMORISED[1]]


def test_a_simulated_missing_cublas_on_the_gpu_falls_back_to_fp16(models, monkeypatch):
    ctranslate2 = pytest.importorskip("ctranslate2")
    real = ctranslate2.Translator

    class NoCublas:
        def __init__(self, *args, **kwargs):
            self.model = real(*args, **kwargs)

        def translate_batch(self, *args, **kwargs):
            raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")

    monkeypatch.setattr(ctranslate2, "Translator", NoCublas)
    translator = load_translator(models / "tiny", device="cuda", backend="auto", cache=False)
    assert translator.description.startswith("transformers fp16 on cuda:0")
    assert "libcublas.so.12" in translator.description
    assert translator.translate([MEMORISED[0]]) == [MEMORISED[1]]
