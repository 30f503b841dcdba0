"""A translation memory of official renderings: SQLite in the user data folder.

Pairs come from every bilingual transcript qabrief reads (the aligner's confident links)
and from `qabrief memory import` (TMX, TSV, or a folder of bilingual transcripts). Each
pair keeps its source and date. Lookup:
- exact: the Chinese matches a stored sentence after normalisation (Simplified form, no
  punctuation, no spaces): the official rendering is used, marked "memory" with its source,
  when it is confirmed — imported on purpose (TMX, TSV), or learned from independent
  sources that agree, for a sentence of 12 characters or more. The ministry
  renders its set phrases afresh each time ("中方对此有何评论？": "What is your comment?",
  "Do you have any comment?" …): learned from the
  2018 conferences, an unconfirmed rendering was the 2019 one for 31 % of sentences, so an
  exact but unconfirmed match is a hint, like a close one;
- independent sources: every learned sighting is stored with the identity of the documents
  it came from (`document_identity`: hashes of the Chinese and of the English content,
  normalised — NFKC, Simplified, no whitespace, no title), once per document. A rendering
  is confirmed by sightings from at least two different Chinese documents and two
  different English ones, none disagreeing: a document submitted twice, or again with other
  whitespace or another title, is one source (issue 31: a visitor who submitted tampered
  English twice had it served as memory English for 112 of 164 sentences);
- an operator's import (TMX, TSV: `trusted`) replaces a learned rendering of the same
  sentence; the replaced one is kept in the `replaced` table (`stats()["replaced"]`);
- close: the best stored sentence whose similarity (difflib ratio of the normalised forms)
  is at least HINT_SIMILARITY is returned as a hint, shown beside the machine translation,
  never substituted, with the date, title and address of the document it was published in
  (`Origin`; issue 34). Candidates come from a character-bigram index by prefix filtering
  (`_close`), so lookups stay short as the memory grows
  (benchmarks/official_english.py --memory-speed; benchmarks/memory_hints.py for how often
  a hint shows on a held-apart year and how often it is the ministry's rendering).

QABRIEF_MEMORY=off switches it off; QABRIEF_MEMORY_DIR moves it; QABRIEF_MEMORY_LEARN says
whether briefs teach it (off by default on a public server: `settings.public_server`).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from ..parse.script import fold_width, to_simplified
from ..storage import when_unlocked

# At or above: a hint; 1.0 after normalisation: an exact match. Chosen on 2018 → January–June 2019 as
# the lowest threshold at which at least half of the hints were the ministry's rendering within chrF 70
# (benchmarks/memory_hints.py; 0.8 before issue 34: 39 %).
HINT_SIMILARITY = 0.9
# Two renderings of one sentence agree when they have the same words (lower case; punctuation and
# spaces aside). A looser agreement (difflib ratio 0.75, before issue 31) took "The United States
# firmly opposes…" to agree with "China firmly opposes…": a tampered first sighting was then
# confirmed by the first genuine document to follow.
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
# A learned rendering of a shorter sentence is never served: the ministry's set phrases (我们注意到有关报道,
# 你能否证实) come back rendered afresh, so even a twice-seen rendering was the 2019 one for only half of them.
MIN_LEARNED_CHARS = 12
CONFIRMING = 2  # independent documents (different Chinese and different English) that confirm a learned rendering
LEGACY = "legacy"  # the document of a sighting stored before documents were told apart: never independent
SCHEMA_VERSION = 2  # PRAGMA user_version: 2 = sightings per document, replaced renderings kept
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
    trusted INTEGER NOT NULL DEFAULT 0,
    dated TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS grams (gram TEXT NOT NULL, pair INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS grams_by_gram ON grams (gram);
CREATE TABLE IF NOT EXISTS gram_counts (gram TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sightings (
    pair INTEGER NOT NULL,
    chinese TEXT NOT NULL,
    english TEXT NOT NULL,
    en TEXT NOT NULL,
    agrees INTEGER NOT NULL,
    added TEXT NOT NULL,
    PRIMARY KEY (pair, chinese, english)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS replaced (
    id INTEGER PRIMARY KEY,
    pair INTEGER NOT NULL,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    source TEXT NOT NULL,
    added TEXT NOT NULL,
    trusted INTEGER NOT NULL,
    replaced TEXT NOT NULL,
    by_source TEXT NOT NULL
);
"""
MAX_CANDIDATES = 1000  # sentences a close lookup may count the overlap of (bounds pasted junk and set phrases)
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def memory_enabled() -> bool:
    from .. import settings

    return settings.flag("QABRIEF_MEMORY")


def learning_enabled() -> bool:
    """Whether briefs add their confident official links to the memory (QABRIEF_MEMORY_LEARN):
    on by default, off by default on a public server (`settings.public_server`), so visitors'
    documents are not kept unless the operator says so."""
    from .. import settings

    return memory_enabled() and settings.flag("QABRIEF_MEMORY_LEARN")


def default_memory_path() -> Path:
    from .. import settings

    if settings.path("QABRIEF_MEMORY_DIR"):
        return settings.path("QABRIEF_MEMORY_DIR") / "memory.sqlite3"
    import platformdirs

    return Path(platformdirs.user_data_dir("qabrief")) / "memory.sqlite3"


def normalise(chinese: str) -> str:
    """The form two renderings of one sentence share: Simplified, half-width digits and
    letters, no punctuation, no spaces, lower case."""
    return _NOT_TEXT.sub("", fold_width(to_simplified(chinese))).lower()


def _content(text: str, chinese: bool) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", to_simplified(text) if chinese else text)


def document_identity(chinese: str, english: str) -> tuple[str, str]:
    """The source a learned rendering comes from: hashes of the Chinese document's content and
    of the English one's, each normalised (NFKC, Simplified for the Chinese, no whitespace).
    Callers give the content without titles (the turns' sentences, the English paragraphs),
    so the same document with other whitespace or another title is the same source."""
    return (hashlib.sha256(_content(chinese, True).encode("utf-8")).hexdigest()[:32],
            hashlib.sha256(_content(english, False).encode("utf-8")).hexdigest()[:32])


class Learned(list):
    """(Chinese, English) pairs that know the documents they came from (`document_identity`)
    and, where known, that document's date, title and address (`Origin`), which a hint shows."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = (), document: tuple[str, str] | None = None,
                 origin: Origin | None = None):
        super().__init__(pairs)
        self.document = document
        self.origin = origin


@dataclass(frozen=True)
class Origin:
    """Where a rendering was published: the date of the conference (or document), its title
    and its address; each "" when unknown (a TSV line knows none of them)."""

    date: str = ""
    title: str = ""
    url: str = ""


@dataclass(frozen=True)
class Match:
    zh: str
    en: str
    source: str
    similarity: float
    added: str = ""  # the date the pair was stored
    confirmed: bool = False  # imported on purpose, or learned from independent documents that agree
    date: str = ""  # the date of the document it was published in (a conference's), "" when unknown
    title: str = ""  # that document's title, "" when unknown
    url: str = ""  # its address, "" when unknown

    @property
    def exact(self) -> bool:
        return self.similarity >= 1.0


class TranslationMemory:
    def __init__(self, path: str | os.PathLike | None = None, hint_similarity: float = HINT_SIMILARITY):
        self.path = Path(path) if path else default_memory_path()
        self.hint_similarity = hint_similarity  # a close match at or above it is a hint
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
            for column, kind in (("seen", "INTEGER NOT NULL DEFAULT 1"), ("agree", "INTEGER NOT NULL DEFAULT 1"),
                                 ("trusted", "INTEGER NOT NULL DEFAULT 0"), ("dated", "TEXT NOT NULL DEFAULT ''"),
                                 ("title", "TEXT NOT NULL DEFAULT ''"), ("url", "TEXT NOT NULL DEFAULT ''")):
                if column not in columns:  # a memory from before them
                    when_unlocked(lambda c=column, k=kind: _add_column(conn, c, k))
            if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                when_unlocked(lambda: _migrate(conn))
            self._local.conn = conn
        return conn

    def add(self, pairs: Iterable[tuple[str, str]], source: str, trusted: bool = False,
            document: tuple[str, str] | None = None, origin: Origin | None = None) -> int:
        """Store (Chinese, official English) pairs; returns how many were new.

        `trusted`: imported on purpose (TMX, TSV): served at once, and it replaces a learned (or
        earlier imported) rendering of the same sentence, which is kept in `replaced`. Else
        learned: a sighting from `document` (`document_identity`; default: the pairs' own
        `document`, else a hash of the pairs themselves), served once sightings from
        CONFIRMING independent documents agree. A document seen again adds nothing.
        `origin` (default: the pairs' own `origin`): the date, title and address of the
        document they were published in, kept with a new rendering (and an import's)."""
        pairs = pairs if isinstance(pairs, list) else list(pairs)
        origin = origin or getattr(pairs, "origin", None) or Origin()
        if not trusted:
            document = document or getattr(pairs, "document", None) or document_identity(
                "".join(zh for zh, _ in pairs), "".join(en for _, en in pairs))
        conn = self._connect()
        added = 0
        today = time.strftime("%Y-%m-%d")
        with conn:
            for zh, en in pairs:
                key = normalise(zh)
                en = en.strip()
                if len(key) < 2 or not en:
                    continue
                cur = conn.execute("INSERT OR IGNORE INTO pairs (key, zh, en, source, added, trusted, dated, title, "
                                   "url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   (key, zh.strip(), en, source, today, int(trusted), *_origin(origin)))
                if cur.rowcount:
                    added += 1
                    pair = cur.lastrowid
                    grams = _bigrams(key)
                    conn.executemany("INSERT INTO grams (gram, pair) VALUES (?, ?)", [(g, pair) for g in grams])
                    conn.executemany("INSERT INTO gram_counts (gram, n) VALUES (?, 1) "
                                     "ON CONFLICT(gram) DO UPDATE SET n = n + 1", [(g,) for g in grams])
                    if not trusted:
                        conn.execute("INSERT INTO sightings (pair, chinese, english, en, agrees, added) "
                                     "VALUES (?, ?, ?, ?, 1, ?)", (pair, *document, en, today))
                    continue
                pair, stored_zh, stored, stored_source, stored_added, was_trusted = conn.execute(
                    "SELECT id, zh, en, source, added, trusted FROM pairs WHERE key = ?", (key,)).fetchone()
                if trusted:
                    if stored != en:
                        conn.execute("INSERT INTO replaced (pair, zh, en, source, added, trusted, replaced, by_source) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (pair, stored_zh, stored, stored_source,
                                                                         stored_added, was_trusted, today, source))
                        conn.execute("UPDATE pairs SET zh = ?, en = ?, source = ?, added = ?, trusted = 1, dated = ?, "
                                     "title = ?, url = ? WHERE id = ?",
                                     (zh.strip(), en, source, today, *_origin(origin), pair))
                    elif not was_trusted:
                        conn.execute("UPDATE pairs SET trusted = 1 WHERE id = ?", (pair,))
                    continue
                agrees = int(same_words(stored, en))
                cur = conn.execute("INSERT OR IGNORE INTO sightings (pair, chinese, english, en, agrees, added) "
                                   "VALUES (?, ?, ?, ?, ?, ?)", (pair, *document, en, agrees, today))
                if cur.rowcount:  # a document seen before counts once
                    conn.execute("UPDATE pairs SET seen = seen + 1, agree = agree + ? WHERE id = ?", (agrees, pair))
        return added

    def lookup(self, chinese: str) -> Match | None:
        """The exact match, else the closest stored sentence at HINT_SIMILARITY or above."""
        key = normalise(chinese)
        if len(key) < 2:
            return None
        conn = self._connect()
        row = conn.execute("SELECT id, zh, en, source, added, trusted, dated, title, url FROM pairs WHERE key = ?",
                           (key,)).fetchone()
        if row:
            pair, zh, en, source, added, trusted, dated, title, url = row
            confirmed = bool(trusted) or (len(key) >= MIN_LEARNED_CHARS and self._independent(conn, pair))
            return Match(zh, en, source, 1.0, added, confirmed=confirmed, date=dated, title=title, url=url)
        return self._close(conn, key)

    @staticmethod
    def _independent(conn: sqlite3.Connection, pair: int) -> bool:
        """Sightings from CONFIRMING different Chinese documents and as many English ones, none
        disagreeing (a sighting from before documents were told apart counts only against)."""
        disagree, chinese, english = conn.execute(
            "SELECT COUNT(*) - COALESCE(SUM(agrees), 0), "
            f"COUNT(DISTINCT CASE WHEN chinese != '{LEGACY}' THEN chinese END), "
            f"COUNT(DISTINCT CASE WHEN english != '{LEGACY}' THEN english END) FROM sightings WHERE pair = ?",
            (pair,)).fetchone()
        return disagree == 0 and chinese >= CONFIRMING and english >= CONFIRMING

    def _close(self, conn: sqlite3.Connection, key: str) -> Match | None:
        """The closest stored sentence at `hint_similarity` or above, by prefix filtering: a sentence
        that close shares at least `shared_bigrams` of the query's bigrams, so it holds one of its
        rarest n - ⌈shared·n⌉ + 1 (and k of its rarest n - ⌈shared·n⌉ + k). Those lists of sentences
        are short; the candidates of a plausible length are then counted against the whole query
        in memory, never by scanning the long lists of common bigrams."""
        grams = sorted(_bigrams(key))
        if not grams:
            return None
        marks = ",".join("?" * len(grams))
        counts = dict(conn.execute(f"SELECT gram, n FROM gram_counts WHERE gram IN ({marks})", grams).fetchall())
        threshold = self.hint_similarity
        needed = math.ceil(shared_bigrams(threshold) * len(grams))
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
        # a ratio 2M/(a+b) ≥ t needs the two lengths within t/(2-t) of each other (0.8: 2/3 to 3/2)
        shortest, longest = math.floor(len(key) * threshold / (2 - threshold)), math.ceil(
            len(key) * (2 - threshold) / threshold)
        scored = []
        for start in range(0, len(candidates), 500):
            chunk = candidates[start:start + 500]
            for row in conn.execute(
                    "SELECT key, zh, en, source, added, dated, title, url FROM pairs "
                    f"WHERE id IN ({','.join('?' * len(chunk))}) AND length(key) BETWEEN ? AND ?",
                    [*chunk, shortest, longest]):
                shared = len(wanted & _bigrams(row[0]))
                if shared >= needed:
                    scored.append((shared, row))
        scored.sort(key=lambda item: -item[0])
        if not scored:
            return None
        ratio, (_, zh, en, source, added, dated, title, url) = max(
            ((SequenceMatcher(None, key, row[0]).ratio(), row) for _, row in scored[:20]), key=lambda item: item[0])
        if ratio >= threshold:
            return Match(zh, en, source, similarity=round(ratio, 3), added=added, date=dated, title=title, url=url)
        return None

    def stats(self) -> dict:
        conn = self._connect()
        total = conn.execute("SELECT COUNT(*) FROM pairs").fetchone()[0]
        sources = conn.execute("SELECT source, COUNT(*) FROM pairs GROUP BY source ORDER BY COUNT(*) DESC").fetchall()
        trusted = conn.execute("SELECT COUNT(*) FROM pairs WHERE trusted = 1").fetchone()[0]
        confirmed = conn.execute(
            "SELECT COUNT(*) FROM pairs WHERE trusted = 0 AND length(key) >= ? AND id IN (SELECT pair FROM sightings "
            "GROUP BY pair HAVING COUNT(*) = SUM(agrees) "
            f"AND COUNT(DISTINCT CASE WHEN chinese != '{LEGACY}' THEN chinese END) >= ? "
            f"AND COUNT(DISTINCT CASE WHEN english != '{LEGACY}' THEN english END) >= ?)",
            (MIN_LEARNED_CHARS, CONFIRMING, CONFIRMING)).fetchone()[0]
        replaced = conn.execute("SELECT COUNT(*) FROM replaced").fetchone()[0]
        documents = conn.execute(f"SELECT COUNT(*) FROM (SELECT DISTINCT chinese, english FROM sightings "
                                 f"WHERE chinese != '{LEGACY}')").fetchone()[0]
        return {"path": str(self.path), "pairs": total, "sources": dict(sources), "trusted": trusted,
                "confirmed": confirmed, "hints": total - trusted - confirmed, "replaced": replaced,
                "documents": documents}

    def replaced(self) -> list[tuple[str, str, str, str, str, str]]:
        """Renderings an import replaced: (Chinese, old English, its source, replaced on, by source, new English)."""
        return self._connect().execute(
            "SELECT r.zh, r.en, r.source, r.replaced, r.by_source, p.en FROM replaced r "
            "LEFT JOIN pairs p ON p.id = r.pair ORDER BY r.id").fetchall()

    def export(self) -> list[tuple[str, str, str, str]]:
        return self._connect().execute("SELECT zh, en, source, added FROM pairs ORDER BY id").fetchall()

    def clear(self) -> int:
        conn = self._connect()
        with conn:
            n = conn.execute("DELETE FROM pairs").rowcount
            conn.execute("DELETE FROM grams")
            conn.execute("DELETE FROM gram_counts")
            conn.execute("DELETE FROM sightings")
            conn.execute("DELETE FROM replaced")
        return n


def _add_column(conn: sqlite3.Connection, column: str, kind: str) -> None:
    """A column an older memory lacks; another process that opened it at the same moment may
    have added it first."""
    try:
        conn.execute(f"ALTER TABLE pairs ADD COLUMN {column} {kind}")
    except sqlite3.OperationalError as exc:
        if "duplicate column" not in str(exc):
            raise


def _migrate(conn: sqlite3.Connection) -> None:
    """A memory from before documents were told apart: its learned renderings' sightings could
    be one document seen twice, so each becomes one sighting of an unknown document that never
    counts as independent (a disagreement it recorded still counts against). Idempotent, and
    safe when two processes open an old memory at once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            conn.execute("INSERT OR IGNORE INTO sightings (pair, chinese, english, en, agrees, added) "
                         f"SELECT id, '{LEGACY}', '{LEGACY}', en, agree = seen, added FROM pairs WHERE trusted = 0")
            conn.execute("UPDATE pairs SET seen = 1, agree = (agree = seen) WHERE trusted = 0")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def shared_bigrams(threshold: float) -> float:
    """The share of a query's bigrams that a stored sentence at `threshold` (difflib ratio) or
    above is taken to share: 0.2 less than the threshold (0.6 at 0.8, 0.7 at 0.9); at least 0.2."""
    return max(0.2, threshold - 0.2)


def _origin(origin: Origin) -> tuple[str, str, str]:
    return (origin.date or "")[:10], (origin.title or "").strip(), (origin.url or "").strip()


def same_words(a: str, b: str) -> bool:
    """Two renderings with the same words (lower case; punctuation and spaces aside)."""
    return _WORDS.findall(unicodedata.normalize("NFKC", a).lower()) == _WORDS.findall(
        unicodedata.normalize("NFKC", b).lower())


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)}
