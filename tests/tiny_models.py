"""The tiny models the tests use, each built once and kept on disk between pytest runs.

Building one trains for 10-50 s, so a model is stored under a key that hashes everything its
build reads: the building script and every qabrief module it can import (the static import
closure, function-level imports included, and qabrief/data), the files and arguments passed, and
the versions of the libraries that write or shape the weights. Same inputs, same model: a later
run (or a fresh clone on the same machine) copies it instead of training again.

The store is ``$QABRIEF_TEST_MODELS`` if set, else ``$XDG_CACHE_HOME/qabrief-tests`` (or
``~/.cache/qabrief-tests``), outside the repository. An entry is built in a temporary folder,
closed with a manifest (every file's SHA-256) and renamed into place under a file lock, so
parallel pytest-xdist workers build it once; an entry whose manifest is missing or does not match
its files is deleted and built again, never trusted. Tests get a private copy of an entry, so
nothing a test does can change the stored model. Entries left behind by older sources (a few MB
each) are deleted once unused for KEEP_DAYS days. QABRIEF_TEST_MODELS=off builds every model
afresh in the test's own temporary folder (the old behaviour).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
MANIFEST = ".qabrief-test-model.json"
KEEP_DAYS = 30  # an entry of the same name unused this long is deleted when another is built
# what writes or shapes the weights, tokenizers and converted files
LIBRARIES = ("torch", "transformers", "tokenizers", "sentencepiece", "ctranslate2", "safetensors", "numpy",
             "OpenCC", "jieba", "jinja2")


def store() -> Path | None:
    chosen = os.environ.get("QABRIEF_TEST_MODELS", "")
    if chosen.lower() in {"off", "0", "no"}:
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qabrief-tests"


def _module_file(name: str) -> Path | None:
    """The source file of qabrief module `name` under src/, or None (not qabrief, or not a file here)."""
    if name != "qabrief" and not name.startswith("qabrief."):
        return None
    base = SRC.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> Iterable[str]:
    """Every qabrief module `path` may import (top-level or inside functions), and the packages above them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = None
    if path.is_relative_to(SRC):
        package = list(path.relative_to(SRC).parent.parts)  # a module's package; an __init__'s own
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if package is None:
                    continue
                base = package[: len(package) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names = [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
                yield ".".join(parts[:i])


def source_closure(scripts: Iterable[Path]) -> list[Path]:
    """The scripts, the scripts they load from scripts/, and every qabrief source file they can reach."""
    seen: set[Path] = set()
    todo = [Path(s) for s in scripts]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports(path):
            found = _module_file(name)
            if found is None and "." not in name and (ROOT / "scripts" / f"{name}.py").is_file():
                found = ROOT / "scripts" / f"{name}.py"  # make_tiny_quickmt imports make_tiny_model
            if found is not None and found not in seen:
                todo.append(found)
    data = SRC / "qabrief" / "data"
    seen.update(p for p in data.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(seen)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def key(name: str, scripts: Iterable[Path], inputs: Iterable[Path], arguments: list[str]) -> str:
    """A hash of everything the build of `name` reads."""
    described = {
        "name": name,
        "arguments": arguments,
        "python": sys.version_info[:2],
        "libraries": {lib: _version(lib) for lib in LIBRARIES},
        "sources": {str(p.relative_to(ROOT)): _sha256(p) for p in source_closure(scripts)},
        "inputs": [_sha256(p) for p in inputs],
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:20]


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def _intact(entry: Path) -> bool:
    """The entry holds exactly the files its manifest lists, each with its recorded hash."""
    try:
        recorded = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))["files"]
        return bool(recorded) and recorded == _files(entry)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def cached(name: str, build: Callable[[Path], None], *, scripts: Iterable[Path], inputs: Iterable[Path] = (),
           arguments: list[str] = ()) -> Path | None:
    """The stored folder built by `build(folder)` for these inputs, building it first if it is missing
    or damaged; None when the store is off. Never hand the returned folder to a test: copy it."""
    root = store()
    if root is None:
        return None
    from filelock import FileLock

    root.mkdir(parents=True, exist_ok=True)
    entry = root / f"{name}-{key(name, scripts, inputs, list(arguments))}"
    with FileLock(str(entry) + ".lock"):
        if entry.exists() and _intact(entry):
            os.utime(entry / MANIFEST)  # last used: what pruning goes by
            return entry
        _remove(entry)  # partial, damaged or foreign: rebuilt, never trusted
        scratch = root / f".building-{entry.name}-{uuid.uuid4().hex[:8]}"
        try:
            scratch.mkdir()
            build(scratch)
            manifest = {"name": name, "files": _files(scratch)}
            if not manifest["files"]:
                raise RuntimeError(f"building {name} wrote no files")
            (scratch / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            os.replace(scratch, entry)
        finally:
            _remove(scratch)
    _prune(root, name, keep=entry)
    return entry


def _prune(root: Path, name: str, keep: Path) -> None:
    """Delete the entries of `name` (built from older sources) that no run has used for KEEP_DAYS."""
    from filelock import FileLock, Timeout

    cutoff = time.time() - KEEP_DAYS * 86400
    for old in root.iterdir():
        if old == keep or not old.is_dir() or not re.fullmatch(re.escape(name) + r"-[0-9a-f]{20}", old.name):
            continue
        try:
            used = max(old.stat().st_mtime, (old / MANIFEST).stat().st_mtime)
        except OSError:
            used = old.stat().st_mtime
        if used < cutoff:
            try:
                with FileLock(str(old) + ".lock", timeout=0):
                    _remove(old)
            except Timeout:
                continue  # in use right now


def private_copy(entry: Path, destination: Path) -> Path:
    """A copy of a stored entry (without its manifest) that a test may change at will."""
    shutil.copytree(entry, destination, ignore=shutil.ignore_patterns(MANIFEST))
    return destination
