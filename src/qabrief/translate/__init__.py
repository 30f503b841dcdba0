"""Chinese → English translation behind one small interface.

    translator = load_translator("opus-mt-zh-en", device="auto")
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
from .registry import DEFAULT_MODEL, MODELS, ModelSpec, ResolvedModel, default_model, models_dir, resolve_model

log = logging.getLogger("qabrief.translate")

__all__ = ["BACKENDS", "DEFAULT_MODEL", "MODELS", "CachedTranslator", "IdentityTranslator", "ModelSpec",
           "ResolvedModel", "Translation", "TranslationCache", "Translator", "default_model", "load_translator",
           "check_available", "models_dir",
           "resolve_model"]


BACKENDS = ("auto", "transformers", "ct2")
_logged: set[str] = set()


def _log_once(message: str) -> None:
    if message not in _logged:
        _logged.add(message)
        log.info(message)


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
    **options,
) -> Translator:
    """Load a translator for a preset name, local folder or hub id (default: QABRIEF_MODEL or opus-mt-zh-en).

    `backend`: "transformers", "ct2" (CTranslate2, `pip install 'qabrief[fast]'`), or "auto":
    CTranslate2 when the package is installed (converting the model into the models folder
    the first time, int8 on CPU, int8_float16 on CUDA), else transformers.
    Fails fast, with the command that fixes it, when the model is neither local nor
    reachable. `cache=False` bypasses the SQLite translation cache; None (default) uses it
    unless QABRIEF_CACHE=off. `precision="int8"` quantizes the transformers backend's linear
    layers on CPU (CTranslate2 is int8 on CPU already).
    """
    resolved = resolve_model(model)
    if backend not in BACKENDS:
        raise QabriefError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    ct2_folder, fallback = _ct2_folder(resolved, device, backend)
    if ct2_folder is not None:
        from .ct2 import CT2Translator

        if precision == "int8" and compute_type is None:
            compute_type = "int8"
        translator: Translator = CT2Translator(ct2_folder, resolved.label, device=device, compute_type=compute_type,
                                               beams=beams, max_length=max_length, **options)
    else:
        local_only = check_available(resolved)  # before importing torch: a missing model fails at once
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
        except ImportError:
            raise QabriefError("translation needs torch and transformers: pip install 'qabrief[translate]'") from None
        from .hf import HFTranslator

        translator = HFTranslator(resolved, device=device, beams=beams, max_length=max_length,
                                  local_files_only=local_only, precision=precision, **options)
        if fallback:  # the page header shows the description: say why the fast path is not used
            translator.description += f" ({fallback})"
    if cache is False or (cache is None and not cache_enabled()):
        return translator
    return CachedTranslator(translator, cache if isinstance(cache, TranslationCache) else None)


def _ct2_folder(resolved: ResolvedModel, device: str, backend: str) -> tuple[Path | None, str | None]:
    """(the CTranslate2 model folder to use or None for transformers, why the fast path is not used)."""
    from .autoconvert import ensure_converted, source_folder
    from .ct2 import FAST_EXTRA, is_ct2_folder
    from .download import download_command
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
        raise QabriefError(f"model {resolved.label} is not downloaded: run {download_command(resolved.label)}")
    on_gpu = device.startswith("cuda") or (device == "auto" and ctranslate2.get_cuda_device_count() > 0)
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
