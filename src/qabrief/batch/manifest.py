"""The batch manifest: which documents are finished, and under which file names.

A manifest (`.qabrief-batch.json` in the output folder) records each finished document
by the hash of its bytes and of the options, so an interrupted run resumes where it
stopped and a re-run redoes nothing. Every file is written to a temporary name and
renamed into place, so a killed run never leaves a half-written brief or manifest.

During a run, each finished document is one line appended (and synced) to a journal
(`.qabrief-batch.journal`), and the manifest is rewritten once, at the end: rewriting it
after every document cost time in proportion to the documents already done, so a run
over N documents wrote N²/2 entries. Loading replays the journal over the manifest (a
line torn by a kill is ignored), so a killed run resumes as before.
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
JOURNAL = ".qabrief-batch.journal"
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
    """Write the whole manifest (atomically) and drop the journal it now contains."""
    atomic_write(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    (out / JOURNAL).unlink(missing_ok=True)


def add(out: Path, manifest: dict, key: str, entry: dict, replaces: str | None = None) -> None:
    """Record a finished document: in `manifest`, and as one synced line of the journal.
    `replaces`: the key of the same source's earlier brief, whose entry goes."""
    lines = []
    if replaces and manifest["documents"].pop(replaces, None) is not None:
        lines.append({"key": replaces, "removed": True})
    manifest["documents"][key] = entry
    lines.append({"key": key, **entry})
    with open(out / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
        fh.flush()
        os.fsync(fh.fileno())


def _replay(out: Path, manifest: dict) -> dict:
    """The manifest with the journal's lines applied in order (a torn or foreign line is ignored)."""
    try:
        lines = (out / JOURNAL).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return manifest
    for line in lines:
        try:
            item = json.loads(line)
            key = item.pop("key")
        except (ValueError, AttributeError, KeyError, TypeError):
            continue
        if item.get("removed"):
            manifest["documents"].pop(key, None)
        elif isinstance(key, str) and isinstance(item.get("stem"), str):
            manifest["documents"][key] = item
    return manifest


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
        outputs = any(p.name != JOURNAL for p in out.iterdir())
        return _replay(out, _rebuilt(out) if outputs else {"version": MANIFEST_VERSION, "documents": {}}), None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if (isinstance(data, dict) and data.get("version") == MANIFEST_VERSION
                and isinstance(data.get("documents"), dict)
                and all(isinstance(d, dict) and isinstance(d.get("stem"), str) for d in data["documents"].values())):
            return _replay(out, data), None
        problem = "is not a qabrief batch manifest"
    except (OSError, ValueError) as exc:
        problem = f"is damaged ({str(exc).splitlines()[0][:100]})"
    manifest = _replay(out, _rebuilt(out))
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
