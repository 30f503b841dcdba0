"""The batch manifest: which documents are finished, and under which file names.

A manifest (`.qabrief-batch.json` in the output folder) records each finished document
by the hash of its bytes and of the options, so an interrupted run resumes where it
stopped and a re-run redoes nothing. Every file is written to a temporary name and
renamed into place, so a killed run never leaves a half-written brief or manifest.
Each output carries the same key (a trailing comment, or "batch_key" in JSON), so a
damaged or foreign manifest is rebuilt from the outputs instead of redoing the work.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from pathlib import Path

log = logging.getLogger("qabrief.batch")

MANIFEST = ".qabrief-batch.json"
MANIFEST_VERSION = 1
OUTPUT_FORMATS = ("md", "html", "json")
_STAMP = re.compile(r"<!-- qabrief-batch-key: ([0-9a-f]{64}) -->\s*$")


def atomic_write(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(out: Path, manifest: dict) -> None:
    atomic_write(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))


def stamp(fmt: str, content: str, key: str) -> str:
    """The output with the document's batch key in it, so a lost manifest can be rebuilt."""
    if fmt == "json":
        data = json.loads(content)
        data["batch_key"] = key
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    return content.rstrip("\n") + f"\n<!-- qabrief-batch-key: {key} -->\n"


def read_stamp(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            key = json.loads(text).get("batch_key")
            return key if isinstance(key, str) and re.fullmatch(r"[0-9a-f]{64}", key) else None
    except (OSError, ValueError, AttributeError):
        return None
    match = _STAMP.search(text[-200:])
    return match.group(1) if match else None


def load(out: Path) -> tuple[dict, str | None]:
    """(the manifest, a warning when a damaged or foreign one was rebuilt from the stamped outputs)."""
    path = out / MANIFEST
    if not path.exists():
        return (_rebuilt(out) if any(out.iterdir()) else {"version": MANIFEST_VERSION, "documents": {}}), None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if (isinstance(data, dict) and data.get("version") == MANIFEST_VERSION
                and isinstance(data.get("documents"), dict)
                and all(isinstance(d, dict) and isinstance(d.get("stem"), str) for d in data["documents"].values())):
            return data, None
        problem = "is not a qabrief batch manifest"
    except (OSError, ValueError) as exc:
        problem = f"is damaged ({str(exc).splitlines()[0][:100]})"
    manifest = _rebuilt(out)
    warning = (f"{path} {problem}: rebuilt it from the outputs in {out} "
               f"({len(manifest['documents'])} finished document(s) found)")
    log.warning(warning)
    return manifest, warning


def _rebuilt(out: Path) -> dict:
    documents: dict[str, dict] = {}
    for file in sorted(out.iterdir()):
        if file.is_file() and not file.name.startswith(".") and file.suffix.lstrip(".") in OUTPUT_FORMATS:
            key = read_stamp(file)
            if key:
                entry = documents.setdefault(key, {"source": None, "stem": file.stem, "outputs": []})
                entry["outputs"].append(file.name)
    return {"version": MANIFEST_VERSION, "documents": documents}
