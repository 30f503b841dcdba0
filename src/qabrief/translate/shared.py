"""One model, many requests: a worker that batches the pending sentences of every request.

A server shares one translator among its requests. Left to themselves, simultaneous
requests take turns at the model (the engine's lock), each call a small batch. Here
each request hands its sentences to one worker thread per model and waits; the worker
takes everything pending, translates it in one call (the engine sorts and batches it by
length), and gives each request its own part back. N simultaneous briefs then cost
about what translating their sentences together costs, the way serving systems batch
across requests.

A request's failure stays its own: when a combined call raises, the worker retries
each request's part alone, so only the request whose sentences make the model fail gets
the exception. The worker thread starts with the first request, never at import.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future

from .base import Translation, Translator, TranslatorWrapper

log = logging.getLogger(__name__)

MAX_BATCH_SENTENCES = 512  # one combined call at most: bounds the memory of a burst
IDLE_S = 60.0  # an idle worker thread ends after this long (the next request starts another)
_STOP = None  # put by close(): the worker ends as soon as nothing is pending


class BatchingTranslator(TranslatorWrapper):
    """Wraps a translator: concurrent `translate_detailed` calls share model calls."""

    def __init__(self, inner: Translator, max_sentences: int = MAX_BATCH_SENTENCES):
        super().__init__(inner)
        self.max_sentences = max_sentences
        self.combined_calls = 0  # model calls that served more than one request (tests, benchmarks)
        self._pending: queue.SimpleQueue[tuple[list[str], Future]] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._worker: threading.Thread | None = None

    def translate_detailed(self, sentences: Sequence[str]) -> list[Translation]:
        if not sentences:
            return []
        future: Future = Future()
        self._pending.put((list(sentences), future))
        self._ensure_worker()
        return future.result()

    def _ensure_worker(self) -> None:
        with self._start:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._serve, name="qabrief-model-worker", daemon=True)
                self._worker.start()

    def close(self) -> None:
        """Let the worker thread end now rather than after a minute idle, so that an unloaded
        model is not kept alive by it (a request still using the translator is served first)."""
        self._pending.put(_STOP)
        self.inner.close()

    def _serve(self) -> None:
        while True:
            try:
                first = self._pending.get(timeout=IDLE_S)
            except queue.Empty:  # idle: the thread ends; the next request starts another
                first = _STOP
            if first is _STOP:
                with self._start:
                    if self._pending.empty():
                        self._worker = None
                        return
                continue
            group = [first]
            size = len(first[0])
            while size < self.max_sentences:
                try:
                    item = self._pending.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:  # served after this group and whatever came before it
                    self._pending.put(_STOP)
                    break
                group.append(item)
                size += len(item[0])
            try:
                self._run(group)
            except BaseException as exc:  # never leave a request waiting on a worker that died
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                raise

    def _run(self, group: list[tuple[list[str], Future]]) -> None:
        if len(group) > 1:
            try:
                results = self.inner.translate_detailed([s for sentences, _ in group for s in sentences])
            except Exception as exc:  # one request's sentences may be the cause: retry each alone
                log.warning("a combined model call of %d requests failed (%s); retrying each alone", len(group), exc)
            else:
                self.combined_calls += 1
                start = 0
                for sentences, future in group:
                    future.set_result(results[start:start + len(sentences)])
                    start += len(sentences)
                return
        for sentences, future in group:
            try:
                future.set_result(self.inner.translate_detailed(sentences))
            except Exception as exc:  # the request's own failure, raised in its own thread
                future.set_exception(exc)


def batched_across_requests(translator: Translator) -> Translator:
    """`translator` with its model calls shared by concurrent requests; a cache in front
    stays in front, so cached sentences never wait for the model."""
    from .cache import CachedTranslator

    if isinstance(translator, CachedTranslator):
        translator.inner = BatchingTranslator(translator.inner)
        return translator
    return BatchingTranslator(translator)
