"""Chinese → English translation behind one small interface.

    translator = load_translator("opus-mt-zh-en", device="auto")
    translator.translate(["谢谢你的提问。"])  # ["Thank you for your question."]

`load_translator` accepts a preset name (see `MODELS`), a local model folder or a hub id.
Heavy imports (torch, transformers) happen only when a model is loaded.
"""

from __future__ import annotations

import os

from ..errors import QabriefError
from .base import IdentityTranslator, Translation, Translator
from .cache import CachedTranslator, TranslationCache
from .registry import DEFAULT_MODEL, MODELS, ModelSpec, ResolvedModel, default_model, models_dir, resolve_model

__all__ = ["DEFAULT_MODEL", "MODELS", "CachedTranslator", "IdentityTranslator", "ModelSpec", "ResolvedModel",
           "Translation", "TranslationCache", "Translator", "default_model", "load_translator", "models_dir",
           "resolve_model"]


def load_translator(
    model: str | os.PathLike | None = None,
    device: str = "auto",
    *,
    beams: int | None = None,
    max_length: int | None = None,
    cache: bool | TranslationCache = True,
    **options,
) -> Translator:
    """Load a translator for a preset name, local folder or hub id (default: QABRIEF_MODEL or opus-mt-zh-en).

    Fails fast, with the command that fixes it, when the model is neither local nor
    reachable. `cache=False` bypasses the SQLite translation cache.
    """
    resolved = resolve_model(model)
    local_only = _check_available(resolved)  # before importing torch: a missing model fails at once
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        raise QabriefError("translation needs torch and transformers: pip install 'qabrief[translate]'") from None
    from .hf import HFTranslator

    translator: Translator = HFTranslator(resolved, device=device, beams=beams, max_length=max_length,
                                          local_files_only=local_only, **options)
    if cache is False:
        return translator
    return CachedTranslator(translator, cache if isinstance(cache, TranslationCache) else None)


def _check_available(resolved: ResolvedModel) -> bool:
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

        cache_dir = os.environ.get("HF_HUB_CACHE") or (
            os.path.join(os.environ["HF_HOME"], "hub") if os.environ.get("HF_HOME") else None)
        hit = try_to_load_from_cache(hub_id, "config.json", cache_dir=cache_dir)
        return isinstance(hit, str)
    except Exception:  # an unreadable cache is the same as no cache here
        return False
