"""Shared model handling for long-running front ends (the app, the batch command).

A public server must not let a visitor choose what it loads or keep loading forever:
- `ModelPolicy` says which model names a request may ask for. By default: the presets,
  the folders under the models directory, and the operator's default (QABRIEF_MODEL).
  An operator opts into any local folder or hub id with QABRIEF_ALLOW_ANY_MODEL=1.
- `TranslatorPool` keeps at most `max_models` loaded translators (least recently used
  goes), loads each under its own gate so a slow load never blocks requests for a model
  already loaded, and remembers a failed load for a while instead of retrying it on
  every request. Everything it keeps is bounded.

Callers get `(translator, None)` or `(None, notice)`: with no model, the Chinese brief
still works and the notice says exactly how to enable English.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from .errors import QabriefError
from .translate import MODELS, Translator, default_model, load_translator, models_dir
from .translate.shared import batched_across_requests

log = logging.getLogger(__name__)

NO_MODEL = "none"  # the model choice that means "Chinese only"
_CONVERTED = re.compile(r"-ct2-(?:int8|int8_float16|float16|float32)$")
RETRY_FAILED_AFTER_S = 60.0
MAX_REMEMBERED_FAILURES = 32
ALLOW_ANY_ENV = "QABRIEF_ALLOW_ANY_MODEL"
MAX_MODELS_ENV = "QABRIEF_MAX_MODELS"


class ModelRefused(QabriefError):
    """A request asked for a model this server does not offer."""


@dataclass(frozen=True)
class ModelPolicy:
    """Which model names requests may use. `allow_any` trusts every local folder and hub id."""

    allow_any: bool = False

    @classmethod
    def from_env(cls) -> ModelPolicy:
        return cls(allow_any=os.environ.get(ALLOW_ANY_ENV, "").strip().lower() in ("1", "true", "yes"))

    def offered(self) -> list[str]:
        """The names a request may use, as the page lists them."""
        # a converted folder (NAME-ct2-int8) is a form of NAME, not a model of its own to offer
        local = sorted(p.name for p in models_dir().glob("*") if p.is_dir() and p.name not in MODELS
                       and not p.name.startswith(".") and not _CONVERTED.search(p.name))
        names = [default_model(), *MODELS, *(str(models_dir() / n) for n in local)]
        return list(dict.fromkeys(names))

    def check(self, model: str | None) -> None:
        """Raise ModelRefused unless `model` may be loaded for a request."""
        name = str(model or default_model())
        if self.allow_any or name in (NO_MODEL, default_model()) or name in MODELS:
            return
        if "\x00" not in name and len(name) < 4096:
            path = Path(name).expanduser()
            try:
                inside = path.resolve().parent == models_dir().resolve() and path.is_dir()
            except (OSError, RuntimeError):  # unreadable, or a symlink loop
                inside = False
            if inside:
                return
        shown = name if len(name) <= 80 else name[:77] + "…"
        raise ModelRefused(f"model {shown!r} is not offered on this server; choose one of: "
                           f"{', '.join(self.offered() + [NO_MODEL])} (the operator can allow any model "
                           f"with {ALLOW_ANY_ENV}=1)")


def _max_models() -> int:
    try:
        return max(1, int(os.environ.get(MAX_MODELS_ENV, "2")))
    except ValueError:
        return 2


class TranslatorPool:
    def __init__(self, loader=load_translator, policy: ModelPolicy | None = None, max_models: int | None = None):
        self._loader = loader
        self.policy = policy  # None: trust every name (the CLI and batch run the user's own choices)
        self.max_models = max_models or _max_models()
        self._lock = threading.Lock()  # guards the three dicts below; never held while loading
        self._loaded: OrderedDict[tuple[str, str, str], Translator] = OrderedDict()
        self._failed: OrderedDict[tuple[str, str, str], tuple[float, str]] = OrderedDict()
        self._loading: dict[tuple[str, str, str], threading.Event] = {}

    def get(self, model: str | None, device: str = "auto",
            backend: str = "auto") -> tuple[Translator | None, str | None]:
        """(translator, None) or (None, notice explaining why there is no English).

        Raises ModelRefused when the policy does not offer `model`: a refusal is the
        request's error, not a reason to serve Chinese only."""
        if model == NO_MODEL:
            return None, "English is off (model: none)."
        if self.policy is not None:
            self.policy.check(model)
        key = (str(model or ""), device, backend)
        while True:
            with self._lock:
                if key in self._loaded:
                    self._loaded.move_to_end(key)
                    return self._loaded[key], None
                failed = self._failed.get(key)
                if failed and time.monotonic() - failed[0] < RETRY_FAILED_AFTER_S:
                    return None, failed[1]
                gate = self._loading.get(key)
                if gate is None:  # this thread loads it; others asking for the same key wait on the gate
                    gate = self._loading[key] = threading.Event()
                    break
            gate.wait()
        try:
            return self._load(key)
        finally:
            with self._lock:
                del self._loading[key]
            gate.set()

    def _load(self, key: tuple[str, str, str]) -> tuple[Translator | None, str | None]:
        model, device, backend = key
        try:
            translator = self._loader(model or None, device=device, backend=backend)
        except QabriefError as exc:
            notice = f"Chinese only — no English: {exc}"
            log.warning(notice)
            with self._lock:
                self._failed[key] = (time.monotonic(), notice)
                while len(self._failed) > MAX_REMEMBERED_FAILURES:
                    self._failed.popitem(last=False)
            return None, notice
        if os.environ.get("QABRIEF_BATCH_REQUESTS", "on").lower() not in ("0", "off", "false", "no"):
            translator = batched_across_requests(translator)  # simultaneous briefs share model calls
        with self._lock:
            self._loaded[key] = translator
            self._failed.pop(key, None)
            while len(self._loaded) > self.max_models:
                old, _ = self._loaded.popitem(last=False)  # requests still using it keep their reference
                log.info("unloading model %s (%s, %s): keeping at most %d", *old, self.max_models)
        return translator, None

    def loaded(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return list(self._loaded)
