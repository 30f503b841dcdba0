"""What the two SQLite stores (the translation cache, the memory of official renderings) share.

Both are opened by several processes at once (the app's workers, a batch run, Ray actors):
WAL journals and a busy timeout handle most contention, and a statement that still finds
the database locked is retried here for up to a minute before its error is raised.
"""

from __future__ import annotations

import sqlite3
import time


def when_unlocked(statement, seconds: float = 60.0):
    """`statement()`, retried while SQLite says the database is locked (at most `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return statement()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
