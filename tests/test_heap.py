"""One heap arena for every thread of a qabrief process (heap.py): memory that stays flat."""

import os
import subprocess
import sys

import pytest

from qabrief.heap import _libc

pytestmark = pytest.mark.skipif(_libc() is None, reason="glibc only")

SCRIPT = """
import ctypes, sys, tempfile, threading
from qabrief.heap import release_freed, share_one_arena
if sys.argv[1] == "shared":
    share_one_arena()
def work():  # 100 kB blocks: below glibc's mmap threshold, so they come from an arena
    blocks = [bytearray(100_000) for _ in range(40)]
    del blocks
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
release_freed()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as fh:
    fp = libc.fopen(fh.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(fp))
    libc.fclose(ctypes.c_void_p(fp))
    print(open(fh.name).read().count("<heap nr="))
"""


def arenas(mode: str, **env) -> int:
    environ = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, env=environ)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


def test_threads_share_one_arena():
    assert arenas("default") > 1  # glibc's own way: a new arena per thread
    assert arenas("shared") == 1


def test_an_explicit_malloc_arena_max_wins():
    assert arenas("shared", MALLOC_ARENA_MAX="4") > 1
