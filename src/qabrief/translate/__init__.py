"""Chinese → English translation behind one small interface.

    translator = load_translator("quickmt-zh-en", device="auto")
    translator.translate(["谢谢你的提问。"])  # ["Thank you for your question."]

`load_translator` accepts a preset name (see `MODELS`), a local model folder or a hub id.
Which backend and device serve it, and what is tried when one fails, is `loading.py`'s.
Heavy imports (torch, transformers) happen only when a model is loaded.
"""

from .base import IdentityTranslator, Request, Translation, Translator, UnavailableTranslator
from .cache import CachedTranslator, TranslationCache, cache_enabled
from .device import PRECISIONS
from .failover import FAILURES_BEFORE_FALLBACK, Failover, load_for_run
from .loading import (
    BACKENDS,
    LoadFailed,
    fallback_options,
    is_language_model,
    load_translator,
    model_family,
    plan_key,
    torch_sees_a_gpu,
)
from .registry import MODELS, ModelSpec, ResolvedModel, default_choice, default_model, models_dir, resolve_model
from .sources import NotDownloaded, must_load_locally

__all__ = ["BACKENDS", "FAILURES_BEFORE_FALLBACK", "MODELS", "PRECISIONS", "CachedTranslator", "Failover",
           "IdentityTranslator", "LoadFailed", "ModelSpec", "NotDownloaded", "Request", "ResolvedModel", "Translation",
           "TranslationCache", "Translator", "UnavailableTranslator", "cache_enabled", "default_choice",
           "default_model", "fallback_options", "is_language_model", "load_for_run", "load_translator",
           "model_family", "models_dir", "must_load_locally", "plan_key", "resolve_model", "torch_sees_a_gpu"]
