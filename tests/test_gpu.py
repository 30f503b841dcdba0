"""Both backends and the fallback on a real CUDA GPU (skipped without one; run with `pytest -m cuda`).

Written for the GPU a session may be lent (see README, "GPU"): the tiny memorised model
through the same `load_translator` path, on transformers fp16 and on CTranslate2. CTranslate2
must run on the GPU: where it cannot (a CPU-only wheel, no CUDA 12 cuBLAS), its test fails
and says why. That `auto` then serves transformers fp16 on the GPU instead is tested with a
simulated missing cuBLAS."""

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


def test_ct2_runs_on_the_gpu(models):
    """CTranslate2 itself on the GPU: no fallback counts (the simulated missing cuBLAS below tests that)."""
    ctranslate2 = pytest.importorskip("ctranslate2", reason="CTranslate2 is optional (qabrief[fast])")
    if not _ct2_gpus():
        pytest.fail(f"CTranslate2 {ctranslate2.__version__} sees no CUDA GPU where torch sees "
                    f"{torch.cuda.get_device_name(0)}: a CPU-only CTranslate2 wheel, or CUDA libraries it cannot load")
    try:
        fast = load_translator(models / "tiny", device="cuda", backend="ct2", cache=False)
    except QabriefError as exc:  # e.g. a machine with CUDA 13 only and no nvidia-cublas-cu12 wheel
        pytest.fail(f"CTranslate2 cannot run on {torch.cuda.get_device_name(0)}: {exc}")
    assert fast.backend == "ct2" and fast.description.startswith("CTranslate2 int8_float16 on cuda:0"), \
        f"not CTranslate2 on the GPU: {fast.description}"
    try:
        english = fast.translate([MEMORISED[0]])
    except Exception as exc:  # loads, then fails at the first call (cuBLAS is loaded lazily)
        pytest.fail(f"CTranslate2 loaded on the GPU but cannot translate there: {type(exc).__name__}: {exc}")
    assert english == [MEMORISED[1]]


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
