"""A translation memory of official renderings: SQLite in the user data folder.

Pairs come from every bilingual transcript qabrief reads (the aligner's confident links)
and from `qabrief memory import` (TMX, TSV, or a folder of bilingual transcripts). Each
pair keeps its source and date. Lookup:
- exact: the Chinese matches a stored sentence after normalisation (Simplified form, no
  punctuation, no spaces): the official rendering is used, marked "memory" with its source,
  when it is confirmed — imported on purpose (TMX, TSV), or learned from briefs at least
  twice with renderings that agree, for a sentence of 12 characters or more. The ministry
  renders its set phrases afresh each time ("中方对此有何评论？": "What is your comment?",
  "Do you have any comment?" …): learned from the
  2018 conferences, an unconfirmed rendering was the 2019 one for 31 % of sentences, so an
  exact but unconfirmed match is a hint, like a close one;
- close: the best stored sentence whose similarity (difflib ratio of the normalised forms)
  is at least HINT_SIMILARITY is returned as a hint, shown beside the machine translation,
  never substituted. Candidates come from a character-bigram index by prefix filtering
  (`_close`), so lookups stay short as the memory grows
  (benchmarks/official_english.py --memory-speed).

QABRIEF_MEMORY=off switches it off; QABRIEF_MEMORY_DIR moves it.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from ..parse.script import fold_width, to_simplified
from ..storage import when_unlocked

HINT_SIMILARITY = 0.8  # at or above: a hint; 1.0 after normalisation: an exact match
AGREE = 0.75  # two renderings of one sentence agree at this difflib ratio of their lower-case text
# A learned rendering of a shorter sentence is never served: the ministry's set phrases (我们注意到有关报道,
# 你能否证实) come back rendered afresh, so even a twice-seen rendering was the 2019 one for only half of them.
MIN_LEARNED_CHARS = 12
CONFIRMING = 2  # agreeing sightings that confirm a learned rendering
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pairs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    source TEXT NOT NULL,
    added TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 1,
    agree INTEGER NOT NULL DEFAULT 1,
    trusted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS grams (gram TEXT NOT NULL, pair INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS grams_by_gram ON grams (gram);
CREATE TABLE IF NOT EXISTS gram_counts (gram TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
"""
MAX_CANDIDATES = 1000  # sentences a close lookup may count the overlap of (bounds pasted junk and set phrases)
SHARED = 0.6  # a stored sentence within HINT_SIMILARITY shares at least this share of the query's bigrams
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def memory_enabled() -> bool:
    from ..settings import env_flag

    return env_flag("QABRIEF_MEMORY", True)


def learning_enabled() -> bool:
    """Whether briefs add their confident official links to the memory (QABRIEF_MEMORY_LEARN;
    a public app's operator may switch it off so visitors' documents are not kept)."""
    from ..settings import env_flag

    return memory_enabled() and env_flag("QABRIEF_MEMORY_LEARN", True)


def default_memory_path() -> Path:
    if os.environ.get("QABRIEF_MEMORY_DIR"):
        return Path(os.environ["QABRIEF_MEMORY_DIR"]) / "memory.sqlite3"
    import platformdirs

    return Path(platformdirs.user_data_dir("qabrief")) / "memory.sqlite3"


def normalise(chinese: str) -> str:
    """The form two renderings of one sentence share: Simplified, half-width digits and
    letters, no punctuation, no spaces, lower case."""
    return _NOT_TEXT.sub("", fold_width(to_simplified(chinese))).lower()


@dataclass(frozen=True)
class Match:
    zh: str
    en: str
    source: str
    similarity: float
    added: str = ""  # the date the pair was stored
    confirmed: bool = False  # imported on purpose, or learned twice or more with agreeing renderings

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
            columns = {row[1] for row in conn.execute("PRAGMA table_info(pairs)")}
            for column, default in (("seen", 1), ("agree", 1), ("trusted", 0)):  # a memory from before them
                if column not in columns:
                    when_unlocked(lambda c=column, d=default: conn.execute(
                        f"ALTER TABLE pairs ADD COLUMN {c} INTEGER NOT NULL DEFAULT {d}"))
            self._local.conn = conn
        return conn

    def add(self, pairs: Iterable[tuple[str, str]], source: str, trusted: bool = False) -> int:
        """Store (Chinese, official English) pairs; returns how many were new. `trusted`: imported
        on purpose (served at once); else learned, and served once confirmed by a second agreeing one."""
        conn = self._connect()
        added = 0
        today = time.strftime("%Y-%m-%d")
        with conn:
            for zh, en in pairs:
                key = normalise(zh)
                if len(key) < 2 or not en.strip():
                    continue
                cur = conn.execute("INSERT OR IGNORE INTO pairs (key, zh, en, source, added, trusted) "
                                   "VALUES (?, ?, ?, ?, ?, ?)", (key, zh.strip(), en.strip(), source, today,
                                                                 int(trusted)))
                if cur.rowcount:
                    added += 1
                    grams = _bigrams(key)
                    conn.executemany("INSERT INTO grams (gram, pair) VALUES (?, ?)",
                                     [(g, cur.lastrowid) for g in grams])
                    conn.executemany("INSERT INTO gram_counts (gram, n) VALUES (?, 1) "
                                     "ON CONFLICT(gram) DO UPDATE SET n = n + 1", [(g,) for g in grams])
                    continue
                (stored,) = conn.execute("SELECT en FROM pairs WHERE key = ?", (key,)).fetchone()
                agrees = SequenceMatcher(None, stored.lower(), en.strip().lower()).ratio() >= AGREE
                conn.execute("UPDATE pairs SET seen = seen + 1, agree = agree + ?, trusted = MAX(trusted, ?) "
                             "WHERE key = ?", (int(agrees), int(trusted), key))
        return added

    def lookup(self, chinese: str) -> Match | None:
        """The exact match, else the closest stored sentence at HINT_SIMILARITY or above."""
        key = normalise(chinese)
        if len(key) < 2:
            return None
        conn = self._connect()
        row = conn.execute("SELECT zh, en, source, added, seen, agree, trusted FROM pairs WHERE key = ?",
                           (key,)).fetchone()
        if row:
            zh, en, source, added, seen, agree, trusted = row
            learned = seen >= CONFIRMING and agree == seen and len(key) >= MIN_LEARNED_CHARS
            return Match(zh, en, source, 1.0, added, confirmed=bool(trusted) or learned)
        return self._close(conn, key)

    def _close(self, conn: sqlite3.Connection, key: str) -> Match | None:
        """The closest stored sentence at HINT_SIMILARITY or above, by prefix filtering: a sentence
        that close shares at least SHARED of the query's bigrams, so it holds one of its rarest
        n - ⌈SHARED·n⌉ + 1 (and k of its rarest n - ⌈SHARED·n⌉ + k). Those lists of sentences
        are short; the candidates of a plausible length are then counted against the whole query
        in memory, never by scanning the long lists of common bigrams."""
        grams = sorted(_bigrams(key))
        if not grams:
            return None
        marks = ",".join("?" * len(grams))
        counts = dict(conn.execute(f"SELECT gram, n FROM gram_counts WHERE gram IN ({marks})", grams).fetchall())
        needed = math.ceil(SHARED * len(grams))
        # A stored sentence sharing `needed` bigrams shares at least `k` of the query's rarest
        # n - needed + k; asking for k = 3 of them keeps few candidates to check in full.
        prefix, postings = [], 0
        for gram in sorted((g for g in grams if g in counts), key=counts.get)[:len(grams) - needed + 3]:
            if prefix and postings + counts[gram] > MAX_CANDIDATES * 3:
                break  # a sentence of common bigrams only: the rarest lists are enough for a hint
            prefix.append(gram)
            postings += counts[gram]
        if not prefix:
            return None
        k = max(1, len(prefix) - (len(grams) - needed))
        candidates = [row[0] for row in conn.execute(
            f"SELECT pair FROM grams WHERE gram IN ({','.join('?' * len(prefix))}) GROUP BY pair "
            "HAVING COUNT(*) >= ? LIMIT ?", [*prefix, k, MAX_CANDIDATES])]
        wanted = set(grams)
        shortest, longest = math.floor(len(key) * 2 / 3), math.ceil(len(key) * 3 / 2)  # ratio ≥ 0.8 needs both
        scored = []
        for start in range(0, len(candidates), 500):
            chunk = candidates[start:start + 500]
            for k, zh, en, src, added in conn.execute(
                    f"SELECT key, zh, en, source, added FROM pairs WHERE id IN ({','.join('?' * len(chunk))}) "
                    "AND length(key) BETWEEN ? AND ?", [*chunk, shortest, longest]):
                shared = len(wanted & _bigrams(k))
                if shared >= needed:
                    scored.append((shared, k, zh, en, src, added))
        scored.sort(key=lambda row: -row[0])
        if not scored:
            return None
        ratio, zh, en, source, added = max((SequenceMatcher(None, key, k).ratio(), zh, en, src, added)
                                           for _, k, zh, en, src, added in scored[:20])
        if ratio >= HINT_SIMILARITY:
            return Match(zh, en, source, similarity=round(ratio, 3), added=added)
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
            conn.execute("DELETE FROM gram_counts")
        return n


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)}
