"""The fast backend without a manual step: a transformers model is converted to CTranslate2
the first time `--backend auto` (or `ct2`) needs it, into the models folder, and used from
then on (`qabrief models convert` does the same by hand).

The conversion (here and in `qabrief models convert`: `convert_into`) writes to a
temporary folder and renames it into place, so two processes
starting at once never see half a model; one lock per process keeps threads from converting
the same model twice. Each conversion records the fingerprint of its source, so a model
replaced under its name is converted again (`sources.current_conversion`). A failed
conversion is the caller's to report (auto falls back to transformers and says why).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from pathlib import Path

from ..errors import QabriefError

log = logging.getLogger("qabrief.translate")
_lock = threading.Lock()


SOURCE_RECORD = "qabrief-source.json"  # in each conversion: the fingerprint of the folder it came from


def recorded_source(conversion: Path) -> str | None:
    """The fingerprint of the source a conversion was made from (None: made before it was recorded)."""
    try:
        return json.loads((conversion / SOURCE_RECORD).read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return None


def convert_locked(source: Path, target: Path, quantization: str, label: str) -> Path:
    """Convert under this process's lock, unless another thread has just made the same conversion."""
    from .fingerprint import folder_fingerprint

    with _lock:
        if (target / "model.bin").is_file() and recorded_source(target) == folder_fingerprint(source):
            return target
        if not (source / "config.json").is_file():
            raise QabriefError(f"{label} is not a local transformers model to convert")
        log.info("converting %s to CTranslate2 %s in %s (once: later starts use it)", label, quantization, target)
        return convert_into(source, target, quantization, replace=target.exists())


def convert_into(source: Path, target: Path, quantization: str, replace: bool = False) -> Path:
    """Convert `source` into a temporary folder beside `target`, then rename it into place, so no
    reader ever sees half a model. `replace` (qabrief models convert): a conversion already there
    is moved aside and removed once the new one is in place; otherwise another process's
    finished conversion is kept."""
    from .ct2 import convert

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        convert(source, partial, quantization)
        from .fingerprint import folder_fingerprint

        (partial / SOURCE_RECORD).write_text(json.dumps({"fingerprint": folder_fingerprint(source),
                                                         "source": str(source)}), encoding="utf-8")
        if replace and target.exists():
            os.replace(target, old)
        try:
            os.replace(partial, target)
        except OSError:  # another process finished first: keep theirs
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return target
