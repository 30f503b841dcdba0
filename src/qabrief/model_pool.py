"""Shared model handling for the long-running front end: the app (the page and `/brief`).

The CLI and `qabrief batch` do not use it: they load the one translator their user chose
(`translate.load_translator`), and Ray's actors load one each.

A public server must not let a visitor choose what it loads or keep loading forever:
- `ModelPolicy` says which model names a request may ask for. By default: the presets,
  the folders under the models directory, and the operator's default (QABRIEF_MODEL).
  An operator opts into any local folder or hub id with QABRIEF_ALLOW_ANY_MODEL=1.
  The operator also says which devices and backends a request may choose
  (QABRIEF_DEVICES, QABRIEF_BACKENDS; default `auto` only): each choice is a copy of a
  model in memory, so a public page offers only what the operator sized it for.
- `TranslatorPool` leases a translator to each brief for as long as it runs (`lease`):
  nothing a brief holds is evicted, neither by the least-recently-used rule (at most
  `max_models` loaded, the idle ones go first, their batching threads stopped and GPU memory
  handed back) nor by the one-language-model rule (one language model on the GPU at a
  time: the room check and the load are one step under one lock; a request for another
  while one is in use gets the wait notice with its Chinese). Each model loads under its
  own gate, so a slow load never blocks requests for a model already loaded. Any load
  failure is a notice, remembered for a while instead of retried on every request. A
  translator that fails at run time is remembered as failed the same way; the next request
  gets the next route of the loading policy (`translate.fallback_options`) with the reason
  in its header. Everything it keeps is bounded.

Callers get `(translator, None)` or `(None, notice)`: with no model, the Chinese brief
still works and the notice says exactly how to enable English.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import settings
from .errors import QabriefError
from .translate import (
    BACKENDS,
    MODELS,
    Translator,
    default_model,
    fallback_options,
    is_language_model,
    load_translator,
    models_dir,
)
from .translate.base import Translation, TranslatorWrapper
from .translate.device import DEVICES, release_device_memory
from .translate.loading import failure_reason
from .translate.shared import batched_across_requests

log = logging.getLogger(__name__)

NO_MODEL = "none"  # the model choice that means "Chinese only"
_CONVERTED = re.compile(r"-ct2-(?:int8|int8_float16|float16|float32)$")
RETRY_FAILED_AFTER_S = 60.0
MAX_REMEMBERED_FAILURES = 32
ALLOW_ANY_ENV = "QABRIEF_ALLOW_ANY_MODEL"
MAX_MODELS_ENV = "QABRIEF_MAX_MODELS"
DEVICES_ENV = "QABRIEF_DEVICES"
BACKENDS_ENV = "QABRIEF_BACKENDS"


class ModelRefused(QabriefError):
    """A request asked for a model this server does not offer."""


@dataclass(frozen=True)
class ModelPolicy:
    """Which model names requests may use. `allow_any` trusts every local folder and hub id."""

    allow_any: bool = False
    devices: tuple[str, ...] = DEVICES
    backends: tuple[str, ...] = BACKENDS

    @classmethod
    def from_env(cls) -> ModelPolicy:
        """The public app's policy: presets only, and `auto` device and backend unless the operator widens them."""
        return cls(allow_any=settings.flag(ALLOW_ANY_ENV), devices=settings.names(DEVICES_ENV, DEVICES),
                   backends=settings.names(BACKENDS_ENV, BACKENDS))

    def check_path(self, device: str, backend: str) -> None:
        """Raise ModelRefused unless the operator offers this device and backend."""
        if device not in self.devices or backend not in self.backends:
            raise ModelRefused(f"this server offers device {', '.join(self.devices)} and backend "
                               f"{', '.join(self.backends)} (the operator sets {DEVICES_ENV} and {BACKENDS_ENV}); "
                               f"not device {device[:20]!r} with backend {backend[:20]!r}")

    def offered(self) -> list[str]:
        """The names a request may use, as the page lists them: presets and folder names, never
        a path of the server's (`model_for` maps a name back to what loads)."""
        return list(self._names())

    def _names(self) -> dict[str, str]:
        """name shown → the model argument it stands for."""
        # a converted folder (NAME-ct2-int8) is a form of NAME, not a model of its own to offer
        local = sorted(p.name for p in models_dir().glob("*") if p.is_dir() and p.name not in MODELS
                       and not p.name.startswith(".") and not _CONVERTED.search(p.name))
        default = default_model()
        names = {_display(default): default}
        for name in [*MODELS, *local]:
            names.setdefault(name, name if name in MODELS else str(models_dir() / name))
        return names

    def model_for(self, name: str | None) -> str | None:
        """What loads for a name the page offered (a folder name → its path); anything else as given."""
        return self._names().get(str(name), name) if name else name

    def public_text(self, text: str) -> str:
        """A message for the page with the server's paths replaced by the names the page shows."""
        for shown, model in sorted(self._names().items(), key=lambda item: -len(item[1])):
            if model != shown and ("/" in model or "\\" in model):
                text = text.replace(str(Path(model).expanduser().resolve()), shown).replace(model, shown)
        folder = models_dir()
        text = text.replace(str(folder.resolve()), "the models folder")
        if folder.is_absolute():
            return text.replace(str(folder), "the models folder")
        # a relative folder ("models", the default) only where a path goes on from it: the word itself is
        # in the commands the page gives ("run qabrief models download NAME")
        return re.sub(rf"(?<![\w./\\-]){re.escape(str(folder))}(?=[/\\])", "the models folder", text)

    def check(self, model: str | None) -> None:
        """Raise ModelRefused unless `model` (a name the page offers, or the path it stands for) may
        be loaded for a request."""
        name = str(model or default_model())
        if self.allow_any or name in (NO_MODEL, default_model()) or name in MODELS or name in self._names():
            return
        if "\x00" not in name and len(name) < 4096:
            path = Path(name).expanduser()
            try:
                inside = path.resolve().parent == models_dir().resolve() and path.is_dir()
            except (OSError, RuntimeError):  # unreadable, or a symlink loop
                inside = False
            if inside:
                return
        shown = Path(name).name if "/" in name else name  # never echo a path of the server's
        shown = shown if len(shown) <= 80 else shown[:77] + "…"
        raise ModelRefused(f"model {shown!r} is not offered on this server; choose one of: "
                           f"{', '.join(self.offered() + [NO_MODEL])} (the operator can allow any model "
                           f"with {ALLOW_ANY_ENV}=1)")


def _display(model: str) -> str:
    """How the page names a model: a preset or hub id ("org/name") as it is, a folder by its name."""
    hub_id = model.count("/") == 1 and not model.startswith(("/", ".", "~")) and not Path(model).exists()
    return model if model in MODELS or hub_id or ("/" not in model and "\\" not in model) else Path(model).name


def _max_models() -> int:
    return settings.integer(MAX_MODELS_ENV)


class _Entry:
    """A loaded translator and the briefs holding it: nothing with a holder is ever evicted."""

    def __init__(self, translator: Translator, language_model: bool):
        self.translator = translator
        self.language_model = language_model
        self.holders = 0


class TranslatorPool:
    def __init__(self, loader=load_translator, policy: ModelPolicy | None = None, max_models: int | None = None,
                 warm: bool = False):
        self._loader = loader
        self.policy = policy  # None: trust every name (a caller running its own user's choices)
        self.max_models = max_models or _max_models()
        self.warm = warm  # a model loaded on a GPU runs the batcher's shapes before it serves
        self._lock = threading.Lock()  # guards the dicts below; never held while loading
        # One language model on the GPU at a time: "is there room, then load" is one step under this
        # lock, so two first requests for different language models never load together.
        self._heavy = threading.Lock()
        self._loaded: OrderedDict[tuple, _Entry] = OrderedDict()
        # key → (when, notice, the fallback key to serve meanwhile or None)
        self._failed: OrderedDict[tuple, tuple[float, str, tuple | None]] = OrderedDict()
        self._loading: dict[tuple, threading.Event] = {}

    @contextmanager
    def lease(self, model: str | None, device: str = "auto",
              backend: str = "auto") -> Iterator[tuple[Translator | None, str | None]]:
        """(translator, None) or (None, notice), held for the whole brief: the translator is not
        evicted while the brief runs, so its model calls are never split by another model's load.

        Raises ModelRefused when the policy does not offer `model`: a refusal is the
        request's error, not a reason to serve Chinese only."""
        translator, notice, key = self._acquire(model, device, backend)
        try:
            yield translator, notice
        finally:
            if key is not None:
                self._release(key)

    def get(self, model: str | None, device: str = "auto",
            backend: str = "auto") -> tuple[Translator | None, str | None]:
        """A lease released at once: for callers that only look (tests, the start-up preload)."""
        with self.lease(model, device, backend) as got:
            return got

    def _acquire(self, model, device, backend) -> tuple[Translator | None, str | None, tuple | None]:
        if model == NO_MODEL:
            return None, "English is off (model: none).", None
        if self.policy is not None:
            self.policy.check(model)
            self.policy.check_path(device, backend)
            model = self.policy.model_for(model)
        key = (str(model or ""), device, backend)
        while True:
            with self._lock:
                entry = self._loaded.get(key)
                if entry is not None:
                    self._loaded.move_to_end(key)
                    entry.holders += 1
                    return entry.translator, None, key
                failed = self._failed.get(key)
                if failed and time.monotonic() - failed[0] < RETRY_FAILED_AFTER_S:
                    if failed[2] is None:
                        return None, failed[1], None
                    key = failed[2]  # the next-best path, while the failed one rests
                    continue
                gate = self._loading.get(key)
                if gate is None:  # this thread loads it; others asking for the same key wait on the gate
                    gate = self._loading[key] = threading.Event()
                    break
            gate.wait()
        try:
            translator, notice = self._load(key)
            return translator, notice, key if translator is not None else None
        finally:
            with self._lock:
                del self._loading[key]
            gate.set()

    def _release(self, key: tuple) -> None:
        with self._lock:
            entry = self._loaded.get(key)
            if entry is not None:
                entry.holders = max(0, entry.holders - 1)
            evicted = self._evict_beyond_max()
        for gone in evicted:
            _unload(gone)

    def _load(self, key: tuple) -> tuple[Translator | None, str | None]:
        """Load under the pool's rules; the loading request holds the result. Any failure is a
        notice (and remembered), never the request's lost brief."""
        model = key[0]
        if is_language_model(model or None):
            with self._heavy:
                busy = self._room_for(model)
                if busy:
                    return None, busy
                return self._load_now(key, language_model=True)
        return self._load_now(key, language_model=False)

    def _load_now(self, key: tuple, language_model: bool) -> tuple[Translator | None, str | None]:
        model, device, backend = key[:3]
        because = key[3] if len(key) > 3 else None  # a fallback key: why the first choice rests
        try:
            translator = self._loader(model or None, device=device, backend=backend,
                                      **({"warm": True} if self.warm else {}))
        except Exception as exc:  # LoadFailed, NotDownloaded, or anything a library raised
            reason = failure_reason(exc)
            if not isinstance(exc, QabriefError):
                log.exception("loading %s failed", model)
            notice = f"Chinese only — no English: {reason}"
            log.warning(notice)
            notice = self._public(notice)
            self._remember_failure(key, notice, None)
            return None, notice
        if because:
            translator.description += f" ({because})"
        if settings.flag("QABRIEF_BATCH_REQUESTS"):
            translator = batched_across_requests(translator)  # simultaneous briefs share model calls
        translator = _Watched(translator, lambda exc, failed: self._failed_at_run_time(key, failed, exc))
        with self._lock:
            entry = self._loaded[key] = _Entry(translator, language_model)
            entry.holders = 1  # the loading request's lease, taken before any other request can evict it
            self._failed.pop(key, None)
            evicted = self._evict_beyond_max()
        for gone in evicted:
            _unload(gone)
        return translator, None

    def _evict_beyond_max(self) -> list[Translator]:
        """Least recently used first, never one a brief holds (called under the lock)."""
        evicted = []
        for old in list(self._loaded):
            if len(self._loaded) <= self.max_models:
                break
            if self._loaded[old].holders == 0:
                log.info("unloading model %s (%s, %s): keeping at most %d", *old[:3], self.max_models)
                evicted.append(self._loaded.pop(old).translator)
        return evicted

    def _room_for(self, model: str | None) -> str | None:
        """A language model fills a GPU: before one loads, idle ones are unloaded; one that a brief
        holds is never evicted, and the request is told to wait instead (called under _heavy)."""
        with self._lock:
            heavy = [(k, e) for k, e in self._loaded.items() if e.language_model]
            busy = [k for k, e in heavy if e.holders]
            if busy:
                return (f"Chinese only for now: the server is translating with {busy[0][0]}, a language model that "
                        "fills the GPU; ask again when it is done, or choose that model")
            for k, _ in heavy:
                del self._loaded[k]
        for k, gone in heavy:
            log.info("unloading language model %s to make room for %s", k[0], model)
            _unload(gone.translator)
        return None

    def _remember_failure(self, key: tuple, notice: str, fallback: tuple | None) -> None:
        with self._lock:
            self._failed[key] = (time.monotonic(), notice, fallback)
            while len(self._failed) > MAX_REMEMBERED_FAILURES:
                self._failed.popitem(last=False)

    def _failed_at_run_time(self, key: tuple, failed: Translator, exc: Exception) -> None:
        """A loaded translator raised: unload it, and for a while serve the next-best path (or none).
        Briefs still holding it keep their reference; their next call fails and says why."""
        reason = f"{failed.description} failed: {failure_reason(exc)}".splitlines()[0][:300]
        log.warning("%s; remembered for %.0f s", reason, RETRY_FAILED_AFTER_S)
        model, device, backend = key[:3]
        nxt = fallback_options(model or None, device, backend, failed)
        fallback = (model, nxt["device"], nxt["backend"], reason) if nxt and len(key) == 3 else None
        with self._lock:
            entry = self._loaded.get(key)
            if entry is not None and entry.translator is failed:
                del self._loaded[key]
        _unload(failed)
        self._remember_failure(key, self._public(f"Chinese only — no English: {reason}"), fallback)

    def _public(self, text: str) -> str:
        """The page's words: no server path when the pool serves a public page (a policy is set)."""
        return self.policy.public_text(text) if self.policy is not None else text

    def loaded(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return list(self._loaded)


class _Watched(TranslatorWrapper):
    """Tells the pool when the translator it wraps raises (the exception still reaches the caller,
    whose brief keeps its Chinese and shows the reason)."""

    def __init__(self, inner: Translator, on_failure):
        super().__init__(inner)
        self._on_failure = on_failure

    def translate_detailed(self, sentences: Sequence[str]) -> list[Translation]:
        try:
            return self.inner.translate_detailed(sentences)
        except QabriefError:
            raise  # the request's own problem (a sentence it sent), not the model's
        except Exception as exc:
            self._on_failure(exc, self)
            raise


def _unload(translator: Translator) -> None:
    """Stop what keeps an unloaded translator alive, and give its GPU memory back."""
    translator.close()
    release_device_memory()
