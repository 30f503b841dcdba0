"""`qabrief batch`: briefs for many transcripts, resumable and failure-tolerant.

A manifest (`.qabrief-batch.json` in the output folder) records each finished document
by the hash of its bytes and of the options, so an interrupted run resumes where it
stopped and a re-run redoes nothing. Every file is written to a temporary name and
renamed into place, so a killed run never leaves a half-written brief or manifest.
A document that fails is reported at the end and does not stop the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .brief import Brief, all_turns, make_brief
from .errors import QabriefError
from .fidelity import Glossary
from .render import render_html, render_json, render_markdown
from .summarize import Budget
from .translate import Translator

MANIFEST = ".qabrief-batch.json"
RENDERERS = {"md": render_markdown, "html": lambda b: render_html(b, standalone=True), "json": render_json}


@dataclass
class BatchReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=dict)  # document → sentences flagged as suspect

    def summary(self) -> str:
        lines = [f"{len(self.written)} written, {len(self.skipped)} already done, {len(self.failed)} failed"]
        lines += [f"  flagged {n} sentence(s) in {doc}" for doc, n in self.flagged.items() if n]
        lines += [f"  FAILED {path}: {why}" for path, why in self.failed]
        return "\n".join(lines)


def collect_inputs(inputs: list[Path]) -> list[Path]:
    """Files as given, and every non-hidden file under given folders, in a stable order."""
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files += sorted(p for p in item.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(item).parts))
        else:
            files.append(item)
    return list(dict.fromkeys(files))


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


def run_batch(inputs: list[Path], out: Path, formats: list[str], translator: Translator | None,
              budget: Budget | None = None, full_text: bool = False, show_progress: bool = True,
              notice: str | None = None, glossary: Glossary | None = None,
              enforce_glossary: bool = False) -> BatchReport:
    from tqdm import tqdm

    unknown = [f for f in formats if f not in RENDERERS]
    if unknown or not formats:
        raise QabriefError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(RENDERERS)}")
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    manifest = _load_manifest(manifest_path)
    options = json.dumps({"formats": sorted(formats), "translator": translator.cache_key if translator else None,
                          "budget": str(budget), "full_text": full_text, "enforce": enforce_glossary,
                          "glossary": sorted((t.zh, t.en) for t in glossary.terms.values()) if glossary else None},
                         sort_keys=True, ensure_ascii=False)
    report = BatchReport()
    files = collect_inputs(inputs)
    bar = tqdm(files, desc="documents", unit="doc", disable=not show_progress)
    for path in bar:
        bar.set_postfix_str(path.name[-30:])
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.failed.append((path, exc.strerror or str(exc)))
            continue
        key = hashlib.sha256(data + options.encode()).hexdigest()
        done = manifest["documents"].get(key)
        if done and all((out / name).is_file() for name in done["outputs"]):
            report.skipped.append(path)
            continue
        try:
            brief = _brief_with_progress(path, translator, budget, full_text, show_progress, notice,
                                         glossary, enforce_glossary)
        except QabriefError as exc:
            report.failed.append((path, str(exc)))
            continue
        stem = _unique_stem(path, key, manifest)
        names = []
        for fmt in formats:
            name = f"{stem}.{fmt}"
            atomic_write(out / name, RENDERERS[fmt](brief))
            names.append(name)
        manifest["documents"][key] = {"source": str(path), "stem": stem, "outputs": names}
        atomic_write(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1))
        report.written.append(path)
        report.flagged[str(path)] = sum(s.flagged for t in all_turns(brief) for s in t.sentences)
    return report


def _brief_with_progress(path, translator, budget, full_text, show_progress, notice, glossary,
                         enforce_glossary) -> Brief:
    from tqdm import tqdm

    from .parse import parse

    transcript = parse(path)
    if not transcript.segments and not transcript.opening:
        raise QabriefError(f"{path.name}: nothing to brief")
    inner = tqdm(total=0, desc="  sentences", unit="sent", leave=False,
                 disable=not show_progress or translator is None)

    def progress(done, total, what):
        inner.total = total
        inner.n = done
        inner.refresh()

    try:
        return make_brief(transcript, translator, budget, full_text=full_text, progress=progress, notice=notice,
                          glossary=glossary, enforce_glossary=enforce_glossary)
    finally:
        inner.close()


def _unique_stem(path: Path, key: str, manifest: dict) -> str:
    """The file's stem, unless another document already owns it (then stem-<hash>)."""
    taken = {d["stem"]: k for k, d in manifest["documents"].items()}
    stem = path.stem or "brief"
    return stem if taken.get(stem, key) == key else f"{stem}-{key[:8]}"


def _load_manifest(path: Path) -> dict:
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data.get("documents"), dict):
                return data
        except (OSError, ValueError):
            pass  # a damaged manifest only costs redoing work: start a fresh one
    return {"version": 1, "documents": {}}
