"""The fast backend without a manual step: a transformers model is converted to CTranslate2
the first time `--backend auto` (or `ct2`) needs it, into the models folder, and used from
then on (`qabrief models convert` does the same by hand).

The conversion (here and in `qabrief models convert`: `convert_into`) writes to a
temporary folder and renames it into place, so two processes
starting at once never see half a model; one lock per process keeps threads from converting
the same model twice. A failed conversion is the caller's to report (auto falls back to
transformers and says why).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

from ..errors import QabriefError
from .registry import ResolvedModel, converted_folder

log = logging.getLogger("qabrief.translate")
_lock = threading.Lock()


def source_folder(resolved: ResolvedModel) -> Path | None:
    """The local transformers folder of a model: its folder, or its Hugging Face cache snapshot."""
    if resolved.local_path is not None:
        return resolved.local_path
    if not resolved.hub_id:
        return None
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(resolved.hub_id, local_files_only=True))
    except Exception as exc:  # huggingface_hub raises several kinds for "not in the cache"
        log.debug("no cached snapshot of %s: %s", resolved.hub_id, exc)
        return None


def ensure_converted(resolved: ResolvedModel, name: str, quantization: str) -> Path:
    """The CTranslate2 form of `resolved` in the models folder, converting it now if needed."""
    target = converted_folder(name, quantization)
    with _lock:
        if (target / "model.bin").is_file():
            return target
        source = source_folder(resolved)
        if source is None or not (source / "config.json").is_file():
            raise QabriefError(f"{resolved.label} is not a local transformers model to convert")
        log.info("converting %s to CTranslate2 %s in %s (once: later starts use it)", resolved.label, quantization,
                 target)
        return convert_into(source, target, quantization)


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
