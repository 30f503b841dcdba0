"""What a local model folder holds, as a short hash for the translation cache's key.

A folder has no revision: `models/opus-mt-zh-en` replaced by a fine-tuned model of the
same name would otherwise keep serving the old model's cached English. Hashing every
byte of 300 MB of weights at each load costs seconds, so a file's bytes are hashed whole
up to 16 MiB and, beyond that, as 1 MiB samples at its start, middle and end beside its
exact size: a retrained model changes every tensor, so the samples change with it, while
the hash stays a fraction of a second. Memoised per path, names, sizes and mtimes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

WHOLE_UP_TO = 16 << 20
SAMPLE = 1 << 20
_memo: dict[tuple, str] = {}
_lock = threading.Lock()


def folder_fingerprint(folder: Path) -> str:
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    stats = tuple((str(p.relative_to(folder)), *_size_and_time(p)) for p in files)
    key = (str(Path(folder).resolve()), stats)
    with _lock:
        if key in _memo:
            return _memo[key]
    digest = hashlib.sha256()
    for path, (name, size, _) in zip(files, stats):
        digest.update(f"{name}\0{size}\0".encode())
        with open(path, "rb") as fh:
            if size <= WHOLE_UP_TO:
                while chunk := fh.read(SAMPLE):
                    digest.update(chunk)
            else:
                for offset in (0, size // 2 - SAMPLE // 2, size - SAMPLE):
                    fh.seek(offset)
                    digest.update(fh.read(SAMPLE))
    fingerprint = digest.hexdigest()[:16]
    with _lock:
        if len(_memo) > 64:
            _memo.clear()
        _memo[key] = fingerprint
    return fingerprint


def _size_and_time(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns
