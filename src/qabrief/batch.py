"""`qabrief batch`: briefs for many transcripts, resumable and failure-tolerant.

A manifest (`.qabrief-batch.json` in the output folder) records each finished document
by the hash of its bytes and of the options, so an interrupted run resumes where it
stopped and a re-run redoes nothing. Every file is written to a temporary name and
renamed into place, so a killed run never leaves a half-written brief or manifest.
Each output carries the same key (a trailing comment, or "batch_key" in JSON), so a
damaged or foreign manifest is rebuilt from the outputs instead of redoing the work.

A document that fails, for any reason (a parse error, a library's exception, a GPU out
of memory), is counted, its traceback goes to `.qabrief-batch.log` in the output folder,
and the run goes on; only Ctrl-C stops it, and what finished stays finished.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .brief import Brief, all_turns, make_brief
from .errors import QabriefError
from .fidelity import Glossary
from .render import render_html, render_json, render_markdown
from .summarize import Budget
from .translate import Translator

log = logging.getLogger(__name__)

MANIFEST = ".qabrief-batch.json"
ERROR_LOG = ".qabrief-batch.log"
MANIFEST_VERSION = 1
RENDERERS = {"md": render_markdown, "html": lambda b: render_html(b, standalone=True), "json": render_json}


@dataclass
class BatchReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=dict)  # document → sentences flagged as suspect
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False  # stopped by Ctrl-C: what finished is recorded, the rest was not started
    error_log: Path | None = None  # where the tracebacks of unexpected failures went

    def summary(self) -> str:
        lines = [f"{len(self.written)} written, {len(self.skipped)} already done, {len(self.failed)} failed"]
        if self.interrupted:
            lines.append("  INTERRUPTED: run the same command again to finish (nothing finished is redone)")
        lines += [f"  WARNING {w}" for w in self.warnings]
        lines += [f"  flagged {n} sentence(s) in {doc}" for doc, n in self.flagged.items() if n]
        lines += [f"  FAILED {path}: {why}" for path, why in self.failed]
        if self.error_log is not None:
            lines.append(f"  tracebacks: {self.error_log}")
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
    report = BatchReport()
    manifest = _load_manifest(out / MANIFEST, out, report)
    options = json.dumps({"formats": sorted(formats), "translator": translator.cache_key if translator else None,
                          "budget": str(budget), "full_text": full_text, "enforce": enforce_glossary,
                          "glossary": sorted((t.zh, t.en) for t in glossary.terms.values()) if glossary else None},
                         sort_keys=True, ensure_ascii=False)
    files = collect_inputs(inputs)
    bar = tqdm(files, desc="documents", unit="doc", disable=not show_progress)

    def brief_of(path: Path) -> Brief:
        return _brief_with_progress(path, translator, budget, full_text, show_progress, notice, glossary,
                                    enforce_glossary)

    try:
        for path in bar:
            bar.set_postfix_str(path.name[-30:])
            _one_document(path, brief_of, out, formats, options, manifest, report)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
    if report.skipped:  # sources learned for entries rebuilt from the outputs
        atomic_write(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return report


def _one_document(path: Path, brief_of, out: Path, formats: list[str], options: str, manifest: dict,
                  report: BatchReport) -> None:
    """Brief one document into `out` and record it, or record why it failed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.failed.append((path, exc.strerror or str(exc)))
        return
    key = hashlib.sha256(data + options.encode()).hexdigest()
    done = manifest["documents"].get(key)
    if done and all((out / f"{done['stem']}.{fmt}").is_file() for fmt in formats):
        done["source"] = done.get("source") or str(path)
        report.skipped.append(path)
        return
    try:
        brief = brief_of(path)
        stem = _unique_stem(path, key, manifest)
        rendered = {fmt: stamp(fmt, RENDERERS[fmt](brief), key) for fmt in formats}
    except QabriefError as exc:
        report.failed.append((path, str(exc)))
        return
    except Exception as exc:  # one broken document must not cost the others (Ctrl-C still stops)
        report.failed.append((path, f"{type(exc).__name__}: {exc}".splitlines()[0][:300]))
        report.error_log = _log_failure(out / ERROR_LOG, path, exc)
        return
    for fmt, content in rendered.items():
        atomic_write(out / f"{stem}.{fmt}", content)
    manifest["documents"][key] = {"source": str(path), "stem": stem, "outputs": [f"{stem}.{f}" for f in formats]}
    atomic_write(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    report.written.append(path)
    report.flagged[str(path)] = sum(s.flagged for t in all_turns(brief) for s in t.sentences)


def _log_failure(log_path: Path, path: Path, exc: BaseException) -> Path:
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("%s failed: %s", path, exc)
    with open(log_path, "a", encoding="utf-8") as fh:
        fh.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} {path}\n{trace}\n")
    return log_path


_STAMP = re.compile(r"<!-- qabrief-batch-key: ([0-9a-f]{64}) -->\s*$")


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


def _load_manifest(path: Path, out: Path, report: BatchReport) -> dict:
    """The manifest; a damaged or foreign one is reported and rebuilt from the stamped outputs."""
    if not path.exists():
        return _rebuilt(out) if any(out.iterdir()) else {"version": MANIFEST_VERSION, "documents": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if (isinstance(data, dict) and data.get("version") == MANIFEST_VERSION
                and isinstance(data.get("documents"), dict)
                and all(isinstance(d, dict) and isinstance(d.get("stem"), str) for d in data["documents"].values())):
            return data
        problem = "is not a qabrief batch manifest"
    except (OSError, ValueError) as exc:
        problem = f"is damaged ({str(exc).splitlines()[0][:100]})"
    manifest = _rebuilt(out)
    warning = (f"{path} {problem}: rebuilt it from the outputs in {out} "
               f"({len(manifest['documents'])} finished document(s) found)")
    log.warning(warning)
    report.warnings.append(warning)
    return manifest


def _rebuilt(out: Path) -> dict:
    documents: dict[str, dict] = {}
    for file in sorted(out.iterdir()):
        if file.is_file() and not file.name.startswith(".") and file.suffix.lstrip(".") in RENDERERS:
            key = read_stamp(file)
            if key:
                entry = documents.setdefault(key, {"source": None, "stem": file.stem, "outputs": []})
                entry["outputs"].append(file.name)
    return {"version": MANIFEST_VERSION, "documents": documents}
