"""Shared model handling for long-running front ends (the app, the batch command).

A model is loaded once per (model, device) and shared by every request; loading is
guarded by a lock so that parallel first requests do not load it twice. When no model
can be loaded, callers get `None` and a notice that says exactly how to enable English,
so the Chinese brief still works.
"""

from __future__ import annotations

import logging
import threading
import time

from .errors import QabriefError
from .translate import Translator, load_translator

log = logging.getLogger(__name__)

NO_MODEL = "none"  # the model choice that means "Chinese only"
RETRY_FAILED_AFTER_S = 60.0


class TranslatorPool:
    def __init__(self, loader=load_translator):
        self._loader = loader
        self._lock = threading.Lock()
        self._loaded: dict[tuple[str, str, str], Translator] = {}
        self._failed: dict[tuple[str, str, str], tuple[float, str]] = {}

    def get(self, model: str | None, device: str = "auto",
            backend: str = "auto") -> tuple[Translator | None, str | None]:
        """(translator, None) or (None, notice explaining why there is no English)."""
        if model == NO_MODEL:
            return None, "English is off (model: none)."
        key = (str(model or ""), device, backend)
        with self._lock:
            if key in self._loaded:
                return self._loaded[key], None
            failed = self._failed.get(key)
            if failed and time.monotonic() - failed[0] < RETRY_FAILED_AFTER_S:
                return None, failed[1]
            try:
                translator = self._loader(model or None, device=device, backend=backend)
            except QabriefError as exc:
                notice = f"Chinese only — no English: {exc}"
                log.warning(notice)
                self._failed[key] = (time.monotonic(), notice)
                return None, notice
            self._loaded[key] = translator
            self._failed.pop(key, None)
            return translator, None
