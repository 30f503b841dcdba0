"""A translation memory of official renderings: SQLite in the user data folder.

Pairs come from every bilingual transcript qabrief reads (the aligner's confident links)
and from `qabrief memory import` (TMX, TSV, or a folder of bilingual transcripts). Each
pair keeps its source and date. Lookup:
- exact: the Chinese matches a stored sentence after normalisation (Simplified form, no
  punctuation, no spaces): the official rendering is used, marked "memory" with its source;
- close: the best stored sentence whose similarity (difflib ratio of the normalised forms)
  is at least HINT_SIMILARITY is returned as a hint, shown beside the machine translation,
  never substituted. Candidates come from a character-bigram index, so lookups stay fast
  on a memory of many thousands of pairs.

QABRIEF_MEMORY=off switches it off; QABRIEF_MEMORY_DIR moves it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from ..parse.script import to_simplified
from ..translate.cache import when_unlocked

HINT_SIMILARITY = 0.8  # at or above: a hint; 1.0 after normalisation: an exact match
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pairs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    source TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS grams (gram TEXT NOT NULL, pair INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS grams_by_gram ON grams (gram);
"""
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def memory_enabled() -> bool:
    return os.environ.get("QABRIEF_MEMORY", "on").strip().lower() not in ("0", "off", "no", "false")


def default_memory_path() -> Path:
    if os.environ.get("QABRIEF_MEMORY_DIR"):
        return Path(os.environ["QABRIEF_MEMORY_DIR"]) / "memory.sqlite3"
    import platformdirs

    return Path(platformdirs.user_data_dir("qabrief")) / "memory.sqlite3"


def normalise(chinese: str) -> str:
    """The form two renderings of one sentence share: Simplified, no punctuation, no spaces."""
    return _NOT_TEXT.sub("", to_simplified(chinese)).lower()


@dataclass(frozen=True)
class Match:
    zh: str
    en: str
    source: str
    similarity: float

    @property
    def exact(self) -> bool:
        return self.similarity >= 1.0


class TranslationMemory:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_memory_path()
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60)
            conn.execute("PRAGMA busy_timeout = 60000")
            when_unlocked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            when_unlocked(lambda: conn.executescript(_SCHEMA))
            self._local.conn = conn
        return conn

    def add(self, pairs: Iterable[tuple[str, str]], source: str) -> int:
        """Store (Chinese, official English) pairs; returns how many were new."""
        conn = self._connect()
        added = 0
        today = time.strftime("%Y-%m-%d")
        with conn:
            for zh, en in pairs:
                key = normalise(zh)
                if len(key) < 2 or not en.strip():
                    continue
                cur = conn.execute("INSERT OR IGNORE INTO pairs (key, zh, en, source, added) VALUES (?, ?, ?, ?, ?)",
                                   (key, zh.strip(), en.strip(), source, today))
                if cur.rowcount:
                    added += 1
                    conn.executemany("INSERT INTO grams (gram, pair) VALUES (?, ?)",
                                     [(g, cur.lastrowid) for g in _bigrams(key)])
        return added

    def lookup(self, chinese: str) -> Match | None:
        """The exact match, else the closest stored sentence at HINT_SIMILARITY or above."""
        key = normalise(chinese)
        if len(key) < 2:
            return None
        conn = self._connect()
        row = conn.execute("SELECT zh, en, source FROM pairs WHERE key = ?", (key,)).fetchone()
        if row:
            return Match(*row, similarity=1.0)
        grams = list(_bigrams(key))
        if not grams:
            return None
        marks = ",".join("?" * len(grams))
        candidates = conn.execute(
            f"SELECT p.key, p.zh, p.en, p.source FROM grams g JOIN pairs p ON p.id = g.pair WHERE g.gram IN ({marks}) "
            "GROUP BY g.pair ORDER BY COUNT(*) DESC LIMIT 20", grams).fetchall()
        best = max(((SequenceMatcher(None, key, k).ratio(), zh, en, src) for k, zh, en, src in candidates),
                   default=None)
        if best and best[0] >= HINT_SIMILARITY:
            return Match(best[1], best[2], best[3], similarity=round(best[0], 3))
        return None

    def stats(self) -> dict:
        conn = self._connect()
        total = conn.execute("SELECT COUNT(*) FROM pairs").fetchone()[0]
        sources = conn.execute("SELECT source, COUNT(*) FROM pairs GROUP BY source ORDER BY COUNT(*) DESC").fetchall()
        return {"path": str(self.path), "pairs": total, "sources": dict(sources)}

    def export(self) -> list[tuple[str, str, str, str]]:
        return self._connect().execute("SELECT zh, en, source, added FROM pairs ORDER BY id").fetchall()

    def clear(self) -> int:
        conn = self._connect()
        with conn:
            n = conn.execute("DELETE FROM pairs").rowcount
            conn.execute("DELETE FROM grams")
        return n


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)}
