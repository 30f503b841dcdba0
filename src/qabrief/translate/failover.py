"""A translator for a run of many documents (`qabrief batch`, `qabrief eval`): it stops calling
a dead path.

A GPU that dies mid-run (a sticky CUDA fault) fails every later call the same way, so a
batch would otherwise spend each remaining document on it and lose all their English.
After FAILURES_BEFORE_FALLBACK consecutive failed calls, the next route the loading
policy names (`loading.next_route`) is loaded and the failing call is retried on it;
with none left, every later call raises the reason at once, and each document keeps its
Chinese with that reason. A model that cannot be loaded at all starts in that state.

Trade-off: N = 3 costs up to two documents' English after a path dies (they are written
Chinese-only, reported failed, and redone by the next run), but one failure alone, which
is often a document's own (a pathological sentence), never drops a working GPU.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from ..errors import QabriefError
from .base import EnglishUnavailable, Translation, Translator, TranslatorWrapper, UnavailableTranslator
from .loading import LoadFailed, failure_reason, fallback_options, load_translator

log = logging.getLogger("qabrief.translate")
FAILURES_BEFORE_FALLBACK = 3


def load_for_run(model: str | None = None, device: str = "auto", *, backend: str = "auto",
                 after: int = FAILURES_BEFORE_FALLBACK, **options) -> Failover:
    """`load_translator` for a run of documents: a load that fails gives a translator whose calls
    say why (each document still gets its Chinese); mistakes of the request still raise."""
    try:
        inner: Translator = load_translator(model, device, backend=backend, **options)
    except LoadFailed as exc:
        log.warning("no English for this run: %s", exc)
        inner = UnavailableTranslator(str(exc))
    return Failover(inner, model, device, backend, options, after)


class Failover(TranslatorWrapper):
    def __init__(self, inner: Translator, model, device: str, backend: str, options: dict,
                 after: int = FAILURES_BEFORE_FALLBACK):
        super().__init__(inner)
        self.request = (model, device, backend, options)
        self.after = max(1, after)
        self.failures = 0  # consecutive failed calls of the current translator
        self.switches: list[str] = []  # what happened, for the log and tests
        self._lock = threading.Lock()

    def translate_detailed(self, sentences: Sequence[str]) -> list[Translation]:
        current = self.inner
        try:
            result = current.translate_detailed(sentences)
        except EnglishUnavailable:
            raise
        except QabriefError:
            raise  # the request's own problem (a sentence it sent), not the path's
        except Exception as exc:
            if not self._failed(current, exc):
                raise
            return self.translate_detailed(sentences)  # on the fallback, or raising the reason at once
        self.failures = 0
        return result

    def _failed(self, current: Translator, exc: Exception) -> bool:
        """Count a failure; after `after` in a row, switch. True when the call should be retried."""
        with self._lock:
            if current is not self.inner:
                return True  # another call switched already
            self.failures += 1
            if self.failures < self.after:
                return False
            reason = f"{current.description} failed {self.failures} times in a row: {failure_reason(exc)}"
            model, device, backend, options = self.request
            nxt = fallback_options(model, device, backend, current)
            replacement: Translator
            if nxt is None:
                replacement = UnavailableTranslator(reason)
                log.warning("%s; no fallback: the rest of the run gets Chinese briefs with this reason", reason)
            else:
                try:
                    replacement = load_translator(model, **options, **nxt)
                    replacement.description += f" ({reason})"
                    log.warning("%s; switching to %s", reason, replacement.description.split(" (")[0])
                except QabriefError as load_error:
                    replacement = UnavailableTranslator(f"{reason}; the fallback failed too: {load_error}")
                    log.warning("%s; the fallback failed too (%s): Chinese briefs for the rest", reason, load_error)
            self.switches.append(reason)
            current.close()
            self._use(replacement)
            return True

    def _use(self, translator: Translator) -> None:
        self.inner, self.failures = translator, 0
        for name in ("cache_key", "description", "backend", "device", "call_size", "wants_context", "model_family",
                     "licence"):
            setattr(self, name, getattr(translator, name))
