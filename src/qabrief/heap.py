"""glibc heap settings for the processes qabrief runs itself (batch, app, Ray actors).

The model backends decode on several threads, and glibc gives each thread its own heap
arena and keeps what each frees, so resident memory settles at a level that depends on
which documents came first: 400–440 MB over a CTranslate2 batch, varying by ±20 MB from
one document to the next. With one arena for every thread it stays flat at 354 MB, with
no measurable loss of speed on 2 cores for CTranslate2 or transformers (README: memory).
The app caps them at two instead, for its concurrent requests (app.bound_malloc_arenas).
`release_freed` hands freed pages back between documents. Both are glibc only and do
nothing elsewhere; an explicit MALLOC_ARENA_MAX in the environment wins.
"""

from __future__ import annotations

import os
from functools import lru_cache

_M_ARENA_MAX = -8  # mallopt parameter number, from glibc's malloc.h


@lru_cache(maxsize=1)
def _libc():
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018 - both present, or this is not glibc
        return libc
    except (OSError, AttributeError):  # macOS, musl, Windows
        return None


def share_one_arena() -> bool:
    """Every thread created from now on allocates from the same heap arena."""
    return cap_arenas(1)


def cap_arenas(arenas: int) -> bool:
    """At most `arenas` heap arenas for the threads created from now on; False when not
    applied (not glibc, or MALLOC_ARENA_MAX in the environment: the operator's choice)."""
    libc = _libc()
    if libc is None or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def release_freed() -> None:
    """Give freed heap back to the system (glibc keeps it otherwise)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
