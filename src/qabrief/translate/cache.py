"""A persistent translation cache: SQLite in the user cache directory.

Keyed by the translator's `cache_key` (model id; its hub revision, or for a local folder a
hash of what the folder holds; backend, precision and generation options) and the request
as the brief sends it (the sentence; with its context and terms where it has them,
`Request.key`), so a change of any of them misses. The sentence is keyed
before the translator prepares it: preparation is a fixed function of the sentence for a
given `cache_key`, so the raw sentence identifies the English as well and costs no work.
Safe across threads (one connection per thread) and processes (WAL journal, a busy
timeout, and single-statement upserts that never read-modify-write).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..storage import when_unlocked
from .base import Request, Translation, TranslatorWrapper, as_request

log = logging.getLogger("qabrief.translate")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    model_key TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    suspect INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    PRIMARY KEY (model_key, source)
)
"""


def cache_enabled() -> bool:
    """False when QABRIEF_CACHE is off (benchmarks, or a server that must not keep text); off by
    default on a public server (`settings.public_server`) unless QABRIEF_CACHE turns it on."""
    from .. import settings

    return settings.flag("QABRIEF_CACHE")


def default_cache_path() -> Path:
    from .. import settings

    if settings.path("QABRIEF_CACHE_DIR"):
        return settings.path("QABRIEF_CACHE_DIR") / "translations.sqlite3"
    import platformdirs

    return Path(platformdirs.user_cache_dir("qabrief")) / "translations.sqlite3"


class TranslationCache:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_cache_path()
        self._local = threading.local()
        self._initialised = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 60000")
            with self._lock:
                if not self._initialised:
                    # Switching to WAL takes an exclusive lock that the busy timeout does not wait
                    # for: two processes opening a new cache at once must retry.
                    when_unlocked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
                    when_unlocked(lambda: conn.execute(_SCHEMA))
                    self._initialised = True
            self._local.conn = conn
        return conn

    def get_many(self, model_key: str, sources: Sequence[str]) -> dict[str, Translation]:
        conn = self._connect()
        found: dict[str, Translation] = {}
        unique = list(dict.fromkeys(sources))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT source, text, suspect, reason FROM translations WHERE model_key = ? AND source IN ({marks})",
                [model_key, *chunk],
            )
            for source, text, suspect, reason in rows:
                found[source] = Translation(source, text, bool(suspect), reason, cached=True)
        return found

    def put_many(self, model_key: str, translations: Iterable[Translation], keys: Iterable[str] | None = None) -> None:
        """Store translations under their source, or under `keys` (a Request's key: sentence, context, terms)."""
        translations = list(translations)
        keys = list(keys) if keys is not None else [t.source for t in translations]
        rows = [(model_key, key, t.text, int(t.suspect), t.reason) for key, t in zip(keys, translations)]
        if not rows:
            return
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO translations (model_key, source, text, suspect, reason) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(model_key, source) DO UPDATE SET text = excluded.text, suspect = excluded.suspect, "
                "reason = excluded.reason",
                rows,
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def count(self, model_key: str | None = None) -> int:
        conn = self._connect()
        if model_key is None:
            return conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
        return conn.execute("SELECT COUNT(*) FROM translations WHERE model_key = ?", (model_key,)).fetchone()[0]


class CachedTranslator(TranslatorWrapper):
    """Wraps a translator: sentences already in the cache never reach the model.

    The cache is optional: any error opening, reading or writing it (a file where its folder
    should be, a read-only folder, a corrupt database) is logged once, and from then on this
    translator serves straight from the model; `notes()` tells the brief. A store error is
    never the model's: it is not raised to the caller, so nothing blames or unloads the model."""

    def __init__(self, inner, cache: TranslationCache | None = None):
        super().__init__(inner)
        self.cache = cache or TranslationCache()
        self.broken: str | None = None  # why the cache is bypassed

    def translate_detailed(self, sentences: Sequence[str | Request]) -> list[Translation]:
        requests = [as_request(s) for s in sentences]
        wanted = {r.key: r for r in requests if r.sentence.strip()}
        hits = self._store(lambda: self.cache.get_many(self.cache_key, list(wanted))) or {}
        missing = [key for key in wanted if key not in hits]
        if missing:
            fresh = self.inner.translate_detailed([_plain(wanted[key]) for key in missing])
            self._store(lambda: self.cache.put_many(self.cache_key, fresh, missing))
            hits.update(zip(missing, fresh))
        return [_as_source(hits[r.key], r.sentence) if r.sentence.strip() else Translation(r.sentence, "")
                for r in requests]

    def _store(self, action):
        if self.broken:
            return None
        try:
            return action()
        except (sqlite3.Error, OSError) as exc:
            self.broken = f"the translation cache is unavailable ({type(exc).__name__}: {exc}); translated without it"
            log.warning("%s: %s", self.cache.path, self.broken)
            return None

    def notes(self) -> list[str]:
        return ([self.broken] if self.broken else []) + self.inner.notes()


def _as_source(translation: Translation, sentence: str) -> Translation:
    """A cached row is stored under its request's key; the caller gets its sentence back as the source."""
    if translation.source == sentence:
        return translation
    return Translation(sentence, translation.text, translation.suspect, translation.reason, translation.cached)


def _plain(request: Request) -> str | Request:
    """A bare sentence goes on as the plain string it is (the common case every translator takes)."""
    return request.sentence if request.key == request.sentence else request
