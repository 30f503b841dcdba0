"""Chinese → English translation behind one small interface.

    translator = load_translator("quickmt-zh-en", device="auto")
    translator.translate(["谢谢你的提问。"])  # ["Thank you for your question."]

`load_translator` accepts a preset name (see `MODELS`), a local model folder or a hub id.
Heavy imports (torch, transformers) happen only when a model is loaded.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..errors import QabriefError
from .base import IdentityTranslator, Translation, Translator
from .cache import CachedTranslator, TranslationCache, cache_enabled
from .registry import (
    DEFAULT_MODEL,
    MODELS,
    ModelSpec,
    ResolvedModel,
    default_choice,
    default_model,
    models_dir,
    resolve_model,
)

log = logging.getLogger("qabrief.translate")

__all__ = ["BACKENDS", "DEFAULT_MODEL", "MODELS", "PRECISIONS", "CachedTranslator", "IdentityTranslator",
           "ModelSpec", "ResolvedModel", "Translation", "TranslationCache", "Translator", "check_available",
           "default_choice", "default_model", "fallback_for", "load_translator", "models_dir", "resolve_model"]


BACKENDS = ("auto", "transformers", "ct2")
_logged: set[str] = set()


def _log_once(message: str) -> None:
    if message not in _logged:
        _logged.add(message)
        log.info(message)


PRECISIONS = ("auto", "fp32", "bf16", "fp16", "int8")
_CT2_COMPUTE = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16", "int8": "int8"}


def load_translator(
    model: str | os.PathLike | None = None,
    device: str = "auto",
    *,
    backend: str = "auto",
    compute_type: str | None = None,
    beams: int | None = None,
    max_length: int | None = None,
    cache: bool | TranslationCache | None = None,
    precision: str = "auto",
    warm: bool = False,
    **options,
) -> Translator:
    """Load a translator for a preset name, local folder or hub id (default: `default_model()`:
    QABRIEF_MODEL, else quickmt-zh-en where CTranslate2 is installed, else opus-mt-zh-en).

    `backend`: "transformers", "ct2" (CTranslate2, `pip install 'qabrief[fast]'`), or "auto":
    the best path that works on this machine. CTranslate2 when it is installed and can run
    here (the model converted into the models folder the first time, int8 on CPU,
    int8_float16 on CUDA; one real computation proves it runs), else transformers, with the
    reason in the translator's description (the brief's header). A GPU that CTranslate2
    cannot see or use is served by transformers in fp16; `--device mps` by transformers.
    Fails fast, with the command that fixes it, when the model is neither local nor
    reachable. `cache=False` bypasses the SQLite translation cache; None (default) uses it
    unless QABRIEF_CACHE=off. `precision`: auto (the device's choice), fp32, bf16, fp16, or
    int8 (dynamic quantization of the transformers backend's linear layers on CPU;
    CTranslate2 is int8 on CPU already). `warm=True` runs a model loaded on a GPU over the
    batcher's shapes before it serves (the batch command and Ray actors; the app when it preloads).
    """
    resolved = resolve_model(model)
    if backend not in BACKENDS:
        raise QabriefError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if precision not in PRECISIONS:
        raise QabriefError(f"unknown precision {precision!r}; choose from {', '.join(PRECISIONS)}")
    translator: Translator | None = None
    family = model_family(resolved)
    ct2_folder, fallback = (None, None) if family == "causal-lm" else _ct2_folder(resolved, device, backend)
    if family == "causal-lm":
        translator = _load_causal(resolved, device, backend, beams=beams, max_length=max_length,
                                  precision=precision, **options)
    elif ct2_folder is not None:
        translator, fallback = _load_ct2(ct2_folder, resolved, device, backend, compute_type or _CT2_COMPUTE.get(
            precision), beams=beams, max_length=max_length, **options)
    if translator is None:
        translator = _load_transformers(resolved, device, beams=beams, max_length=max_length, precision=precision,
                                        **options)
        if fallback:  # the page header shows the description: say why the fast path is not used
            translator.description += f" ({fallback})"
    if hasattr(translator, "describe_model"):
        translator.describe_model(resolved.spec, family or "seq2seq")
    if warm and getattr(translator, "on_gpu", False):
        _log_once(f"warming {resolved.label} up on {translator.choice.device}")
        translator.warm_up()
    if cache is False or (cache is None and not cache_enabled()):
        return translator
    return CachedTranslator(translator, cache if isinstance(cache, TranslationCache) else None)


def fallback_for(model: str | None, device: str, backend: str, failed: Translator) -> dict | None:
    """How to load the next-best path after `failed` broke at run time, as `load_translator`
    keyword arguments, or None when there is none: under `auto`, CTranslate2 gives way to
    transformers, or for a model published only for CTranslate2, a GPU to the CPU."""
    from .ct2 import is_ct2_folder

    if backend != "auto" or failed.backend != "ct2":
        return None
    resolved = resolve_model(model)
    if not ((resolved.spec and resolved.spec.family == "ct2") or is_ct2_folder(resolved.local_path)):
        return {"device": device, "backend": "transformers"}
    if device == "auto" and failed.device != "cpu":
        return {"device": "cpu", "backend": "auto"}
    return None


def _load_ct2(folder: Path, resolved: ResolvedModel, device: str, backend: str, compute_type: str | None,
              **options) -> tuple[Translator | None, str | None]:
    """(the CTranslate2 translator, None), or (None, why not) when `auto` may fall back to
    transformers. A model published only in CTranslate2 form has no transformers to fall
    back to: under `auto` it moves from a GPU that CTranslate2 cannot use to the CPU."""
    from .ct2 import CT2Translator, CT2Unavailable, is_ct2_folder

    native = (resolved.spec and resolved.spec.family == "ct2") or is_ct2_folder(resolved.local_path)
    try:
        return CT2Translator(folder, resolved.label, device=device, compute_type=compute_type, **options), None
    except CT2Unavailable as exc:
        if backend == "ct2" or (native and (device != "auto" or exc.device == "cpu")):
            raise
        if not native:
            _log_once(f"{resolved.label}: {exc}; using transformers")
            return None, str(exc)
        _log_once(f"{resolved.label}: {exc}; using the CPU")
        translator = CT2Translator(folder, resolved.label, device="cpu", **options)
        translator.description += f" ({exc})"
        return translator, None


def model_family(resolved: ResolvedModel) -> str:
    """The preset's family; for a local folder, "causal-lm" when its config names a causal LM."""
    if resolved.spec is not None:
        return resolved.spec.family
    config = resolved.local_path / "config.json" if resolved.local_path else None
    if config is not None and config.is_file():
        import json

        try:
            architectures = json.loads(config.read_text(encoding="utf-8")).get("architectures") or []
        except (OSError, ValueError, AttributeError):
            architectures = []
        if any(str(a).endswith("ForCausalLM") for a in architectures):
            return "causal-lm"
    return ""


def _load_causal(resolved: ResolvedModel, device: str, backend: str, *, beams=None, precision="auto",
                 **options) -> Translator:
    """A decoder-only language model: transformers only, and a CUDA GPU unless forced onto the CPU."""
    from .prompts import DEFAULT_PROMPT, PROMPTS

    spec = resolved.spec
    if backend == "ct2":
        raise QabriefError(f"{resolved.label} is a causal language model: it runs with --backend transformers "
                           "(or auto), not ct2")
    if precision == "int8":
        raise QabriefError("--precision int8 is for the encoder-decoder models on a CPU; a language model runs "
                           "in bf16 on a GPU")
    if (device or "auto").lower() == "auto":
        if not _torch_sees_a_gpu():  # refused before anything is downloaded or loaded
            size = f" ({spec.params} parameters, about {spec.download_mb / 1000:.0f} GB in bf16)" if spec else ""
            raise QabriefError(
                f"{resolved.label} is a language model{size} that needs a CUDA GPU, and this machine has none; "
                f"choose a model made for CPUs ({FAST_MODEL_HINT}), or force it with --device cpu "
                "(expect minutes per brief)")
        device = "cuda"
    elif device.lower() == "cpu":
        log.warning("%s on the CPU: a language model of this kind takes minutes per brief there", resolved.label)
    local_only = check_available(resolved)
    from .causal import CausalLMTranslator

    style = PROMPTS[spec.prompt] if spec and spec.prompt else PROMPTS[DEFAULT_PROMPT]
    return CausalLMTranslator(resolved, style, device=device, local_files_only=local_only,
                              beams=beams or (spec.beams if spec else None), precision=precision, **options)


FAST_MODEL_HINT = "quickmt-zh-en or opus-mt-zh-en"


def _load_transformers(resolved: ResolvedModel, device: str, **options) -> Translator:
    local_only = check_available(resolved)  # before importing torch: a missing model fails at once
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        raise QabriefError("translation needs torch and transformers: pip install 'qabrief[translate]'") from None
    from .hf import HFTranslator

    return HFTranslator(resolved, device=device, local_files_only=local_only, **options)


def _ct2_folder(resolved: ResolvedModel, device: str, backend: str) -> tuple[Path | None, str | None]:
    """(the CTranslate2 model folder to use or None for transformers, why the fast path is not used)."""
    from .autoconvert import ensure_converted, source_folder
    from .ct2 import FAST_EXTRA, is_ct2_folder
    from .registry import find_converted

    native = (resolved.spec and resolved.spec.family == "ct2") or is_ct2_folder(resolved.local_path)
    if backend == "transformers" and not native:
        return None, None
    try:
        import ctranslate2
    except ImportError:
        if backend == "ct2" or native:
            raise QabriefError(f"{resolved.label} needs the ct2 backend, which needs CTranslate2: {FAST_EXTRA}"
                               if native else f"--backend ct2 needs CTranslate2: {FAST_EXTRA}") from None
        _log_once(f"CTranslate2 is not installed ({FAST_EXTRA} for the fast CPU backend): using transformers")
        return None, None
    if native:
        if resolved.local_path and is_ct2_folder(resolved.local_path):
            return resolved.local_path, None
        return _download_ct2_preset(resolved), None
    if backend == "auto" and device.lower() == "mps":
        return None, None  # CTranslate2 has no Apple GPU backend: transformers runs on MPS
    ct2_gpus = ctranslate2.get_cuda_device_count()
    if backend == "auto" and device.lower() == "auto" and not ct2_gpus and _torch_sees_a_gpu():
        reason = "CTranslate2 sees no CUDA GPU that torch sees"
        _log_once(f"{resolved.label}: {reason}; using transformers on the GPU")
        return None, reason
    on_gpu = device.startswith("cuda") or (device == "auto" and ct2_gpus > 0)
    preferred = "int8_float16" if on_gpu else "int8"
    name = resolved.spec.name if resolved.spec else (resolved.local_path.name if resolved.local_path else None)
    folder = find_converted(name, preferred) if name else None
    if folder is not None or name is None:
        return folder, None
    if source_folder(resolved) is None:
        return None, None  # not downloaded: the transformers path says what to run
    try:
        return ensure_converted(resolved, name, preferred), None
    except QabriefError as exc:
        if backend == "ct2":
            raise QabriefError(f"no CTranslate2 form of {resolved.label} and converting it failed: {exc}") from None
        reason = f"CTranslate2 conversion failed: {exc}"
        _log_once(f"{resolved.label}: {reason}; using transformers")
        return None, reason


def _download_ct2_preset(resolved: ResolvedModel) -> Path:
    """A preset published only in CTranslate2 form, fetched on first use where the Hub is reachable
    (as transformers does for the others: a Space starts with none); else the command to run."""
    from .download import download_command, download_model, hub_reachable, offline

    if resolved.spec is None or offline() or not hub_reachable():
        raise QabriefError(f"model {resolved.label} is not downloaded: run {download_command(resolved.label)}")
    _log_once(f"downloading {resolved.label} into {models_dir() / resolved.spec.name} (once)")
    return download_model(resolved.spec.name)


def _torch_sees_a_gpu() -> bool:
    """A CUDA GPU torch can use; torch is imported only where the NVIDIA driver lists a GPU."""
    from .device import nvidia_gpu_present

    if not nvidia_gpu_present():
        return False
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def check_available(resolved: ResolvedModel) -> bool:
    """True when loading must stay local; raises at once when there is nothing to load."""
    if resolved.local_path:
        return True
    from .download import download_command, hub_reachable, offline

    if _in_hf_cache(resolved.hub_id):
        return True
    name = resolved.spec.name if resolved.spec else resolved.hub_id
    where = f"{models_dir() / resolved.spec.name}" if resolved.spec else "the Hugging Face cache"
    if offline() or not hub_reachable():
        fix = download_command(name) if resolved.spec else f"huggingface-cli download {resolved.hub_id}"
        raise QabriefError(
            f"model {name} is not in {where} and the Hugging Face Hub is "
            f"{'disabled (HF_HUB_OFFLINE)' if offline() else 'unreachable'}; connect to the network and run: {fix}"
        )
    return False


def _in_hf_cache(hub_id: str | None) -> bool:
    if not hub_id:
        return False
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        raise QabriefError("translation needs huggingface_hub: pip install 'qabrief[translate]'") from None
    cache_dir = os.environ.get("HF_HUB_CACHE") or (
        os.path.join(os.environ["HF_HOME"], "hub") if os.environ.get("HF_HOME") else None)
    try:
        hit = try_to_load_from_cache(hub_id, "config.json", cache_dir=cache_dir)
    except (OSError, ValueError) as exc:  # an unreadable cache or an invalid id: not in the cache
        log.debug("Hugging Face cache lookup for %s failed: %s", hub_id, exc)
        return False
    return isinstance(hit, str)
