"""What both batch engines share: the plan, the three stages of a document, the record.

A document goes through `prepare` (read, parse, summarize: no model), `translate` (the
model, then the fidelity checks) and `render` (Markdown, HTML, JSON, each stamped with
the batch key). The local engine runs them in a loop; the Ray engine runs them as a
dataset whose middle stage is an actor pool. Both plan the same way (same keys, same
file names) and record the same way, so their outputs are the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..brief import Brief, all_turns, chinese_brief, english_stages
from ..companions import english_companion
from ..errors import QabriefError
from ..fidelity import Glossary
from ..parse.reading import MAX_INPUT_BYTES
from ..render import render_html, render_json, render_markdown
from ..summarize import Budget
from ..translate.base import Translator
from . import manifest as manifests
from .links import BadLine, Link, read_links
from .manifest import OUTPUT_FORMATS, atomic_write, log, stamp

ERROR_LOG = ".qabrief-batch.log"


def _standalone_html(brief: Brief) -> str:
    return render_html(brief, standalone=True)


RENDERERS = {"md": render_markdown, "html": _standalone_html, "json": render_json}
assert tuple(RENDERERS) == OUTPUT_FORMATS


@dataclass
class BatchOptions:
    """How every document of a run is briefed (the model aside)."""

    formats: list[str]
    budget: Budget | None = None
    full_text: bool = False
    notice: str | None = None
    glossary: Glossary | None = None
    enforce_glossary: bool = False
    english_mode: str = "official"  # with a NAME.en.txt: official first, machine only, or both
    refiner_key: str | None = None  # the refining model's plan key (`--refine`), part of each document's key

    def __post_init__(self):
        unknown = [f for f in self.formats if f not in RENDERERS]
        if unknown or not self.formats:
            raise QabriefError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(RENDERERS)}")

    def fingerprint(self, translator_key: str | None) -> str:
        """Everything that changes an output; part of each document's key."""
        return json.dumps({"formats": sorted(self.formats), "translator": translator_key,
                           "budget": str(self.budget), "full_text": self.full_text, "enforce": self.enforce_glossary,
                           **({"english_mode": self.english_mode} if self.english_mode != "official" else {}),
                           **({"refiner": self.refiner_key} if self.refiner_key else {}),
                           "glossary": sorted((t.zh, t.en) for t in self.glossary.terms.values())
                           if self.glossary else None}, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Job:
    """One document to brief: its file or link, its key (bytes or address + options) and its output stem."""

    path: Path | Link
    key: str
    stem: str
    replaces: str | None = None  # the key of this source's earlier brief under other options, if any


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


def collect_inputs(inputs: list[Path]) -> list[Path | Link | BadLine]:
    """Files as given, and every non-hidden file under given folders, in a stable order; a
    transcript's official English (NAME.en.txt beside NAME.txt) goes with it, not on its own.
    A links file given by name stands for the addresses it lists (`links.py`)."""
    from ..companions import is_english_companion

    items: list[Path | Link | BadLine] = []
    for item in inputs:
        if item.is_dir():
            items += sorted(p for p in item.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(item).parts) and not is_english_companion(p))
        else:
            items += read_links(item) or [item]
    return list(dict.fromkeys(items))


def open_run(inputs: list[Path], out: Path, options: BatchOptions, translator_key: str | None,
             report: BatchReport) -> tuple[dict, list[Job]]:
    """(the manifest, the documents still to do): finished ones are skipped, unreadable ones failed."""
    out.mkdir(parents=True, exist_ok=True)
    manifest, warning = manifests.load(out)
    if warning:
        report.warnings.append(warning)
    fingerprint = options.fingerprint(translator_key).encode()
    taken = {d["stem"]: k for k, d in manifest["documents"].items()}
    jobs: dict[str, Job] = {}
    for item in collect_inputs(inputs):
        if isinstance(item, BadLine):
            report.failed.append((item, f"not a web address: {item.text!r}"))
            continue
        try:
            key = _key(item, fingerprint)
        except (OSError, QabriefError) as exc:
            report.failed.append((item, str(exc) if isinstance(exc, QabriefError) else exc.strerror or str(exc)))
            continue
        done = manifest["documents"].get(key)
        if key in jobs or (done and all((out / f"{done['stem']}.{fmt}").is_file() for fmt in options.formats)):
            if done:
                done["source"] = done.get("source") or source_name(item)
            report.skipped.append(item)  # finished before, or the same bytes twice in this run
            continue
        stem, replaces = item.stem or "brief", None
        owner = taken.get(stem, key)
        if owner != key and owner not in jobs and manifest["documents"].get(owner, {}).get("source") == \
                source_name(item):
            replaces = owner  # the same source briefed before with other options: its names are reused
        elif owner != key:  # another document owns the name
            stem = f"{stem}-{key[:8]}"
        taken[stem] = key
        jobs[key] = Job(item, key, stem, replaces)
    if report.skipped:  # sources learned for entries rebuilt from the outputs
        manifests.save(out, manifest)
    return manifest, list(jobs.values())


def source_name(item: Path | Link) -> str:
    """How the manifest names a document: its path, or its address."""
    return item.url if isinstance(item, Link) else str(item)


def _key(item: Path | Link, fingerprint: bytes) -> str:
    """The document's batch key: its bytes (a file and its official English) or its addresses, and the options.
    A file over the input limit is refused from its size, before a byte of it is read."""
    digest = hashlib.sha256()
    if isinstance(item, Link):
        digest.update(b"link\0" + item.url.encode() + b"\0" + (item.english_url or "").encode())
    else:
        for n, path in enumerate([item, english_companion(item)]):
            if path is None:
                continue
            size = path.stat().st_size
            if size > MAX_INPUT_BYTES:
                raise QabriefError(f"{path.name} is {size / 1048576:.1f} MiB, over the "
                                   f"{MAX_INPUT_BYTES / 1048576:.0f} MiB limit; split it into separate transcripts")
            if n:
                digest.update(b"\0official English\0")
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
    digest.update(fingerprint)
    return digest.hexdigest()


def prepare(path: Path | Link, options: BatchOptions) -> Brief:
    """Read (or fetch), parse and summarize: the brief in Chinese, with its official English
    (NAME.en.txt or .en.html beside it, or the link's second address) and what the memory
    of official renderings knows."""
    from ..official import default_memory
    from ..parse import parse

    fetched = []
    if isinstance(path, Link):
        from ..linked_documents import english_at, transcript_at

        transcript, origin = transcript_at(path.url)
        english, fetched = None, [origin]
        if path.english_url:
            english, origin = english_at(path.english_url)
            fetched.append(origin)
    else:
        transcript, english = parse(path), english_companion(path)
    if not transcript.segments and not transcript.opening:
        raise QabriefError(f"{path.name}: nothing to brief")
    return chinese_brief(transcript, options.budget, full_text=options.full_text, notice=options.notice,
                         english=english, english_mode=options.english_mode,
                         glossary=options.glossary, memory=default_memory(), fetched=fetched)


def translate(brief: Brief, translator: Translator | None, options: BatchOptions, progress=None,
              refiner: Translator | None = None) -> Brief:
    """The English and its fidelity checks, in place (nothing to do without a translator); then,
    with a `refiner`, the summary's English again from it (refine.py)."""
    if translator is not None:
        for _ in english_stages(brief, translator, progress=progress, glossary=options.glossary,
                                enforce_glossary=options.enforce_glossary):
            pass
    if refiner is not None and brief.translated:
        from ..refine import refine_stages

        for _ in refine_stages(brief, refiner, glossary=options.glossary, progress=progress):
            pass
    return brief


def render(brief: Brief, options: BatchOptions, key: str) -> tuple[dict[str, str], str | None, str | None]:
    """(each format's text, why a renderer failed or None, its traceback). A renderer that raises
    costs its own format only, and never the Chinese: with no format left, the brief is written
    as plain Markdown (`render.plain`), which reads only its Chinese and English strings."""
    from ..render.plain import render_plain

    rendered, errors, traces = {}, [], []
    for fmt in options.formats:
        try:
            rendered[fmt] = stamp(fmt, RENDERERS[fmt](brief), key)
        except Exception as exc:
            reason, trace = failure(exc)
            errors.append(f"the {fmt} renderer failed ({reason})")
            traces.append(trace or reason)
    if not rendered:
        rendered["md"] = stamp("md", render_plain(brief), key)
        errors.append("written as plain Markdown")
    return rendered, "; ".join(errors) or None, "\n".join(traces) or None


def flagged(brief: Brief) -> int:
    return sum(s.flagged for t in all_turns(brief) for s in t.sentences)


def record(out: Path, job: Job, rendered: dict[str, str], manifest: dict, report: BatchReport,
           flagged_sentences: int, english_error: str | None = None, english_trace: str | None = None,
           render_error: str | None = None, render_trace: str | None = None) -> None:
    """Write a finished document's outputs, then its manifest entry (each atomically).

    A brief whose English stopped part-way is written (its Chinese is whole) but counted as
    failed and left out of the manifest, so that the next run translates it again."""
    for fmt, content in rendered.items():
        atomic_write(out / f"{job.stem}.{fmt}", content)
    why = "; ".join(filter(None, [english_error and f"English failed ({english_error})", render_error]))
    if why:  # the English stopped, or a renderer failed: what could be written is
        record_failure(out, job.path, f"{why}; the Chinese brief was written", english_trace or render_trace, report)
        return
    outputs = [f"{job.stem}.{f}" for f in rendered]
    manifests.add(out, manifest, job.key, {"source": source_name(job.path), "stem": job.stem, "outputs": outputs},
                  job.replaces)
    report.written.append(job.path)
    report.flagged[str(job.path)] = flagged_sentences


def failure(exc: Exception) -> tuple[str, str | None]:
    """(the one-line reason a user reads, the traceback for the log or None for a user error)."""
    if isinstance(exc, QabriefError):
        return str(exc), None
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300], trace


def record_failure(out: Path, path: Path | Link | BadLine, reason: str, trace: str | None, report: BatchReport) -> None:
    report.failed.append((path, reason))
    if trace:  # an unexpected failure: its traceback goes to the log
        log.error("%s failed: %s", path, reason)
        report.error_log = out / ERROR_LOG
        with open(report.error_log, "a", encoding="utf-8") as fh:
            fh.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} {path}\n{trace}\n")
