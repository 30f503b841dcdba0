"""The local engine: one document after another in this process (the default).

A document that fails, for any reason (a parse error, a library's exception, a GPU out
of memory), is counted, its traceback goes to `.qabrief-batch.log` in the output folder,
and the run goes on; only Ctrl-C stops it, and what finished stays finished.
"""

from __future__ import annotations

from pathlib import Path

from ..brief import Brief
from ..heap import release_freed
from ..translate.base import Translator
from .jobs import (
    BatchOptions,
    BatchReport,
    Job,
    failure,
    flagged,
    open_run,
    prepare,
    record,
    record_failure,
    render,
    translate,
)
from .manifest import save


def run_batch(inputs: list[Path], out: Path, options: BatchOptions, translator: Translator | None,
              show_progress: bool = True, translator_key: str | None = None,
              refiner: Translator | None = None) -> BatchReport:
    """Brief `inputs` into `out`, one document after another. `translator_key`: what the documents'
    keys hold of the model (`translate.plan_key`; default: the translator's cache key); `refiner`:
    the model that translates each summary again (`--refine`; its key is `options.refiner_key`)."""
    from tqdm import tqdm

    report = BatchReport()
    key = translator_key if translator_key is not None or translator is None else translator.cache_key
    try:
        manifest, jobs = open_run(inputs, out, options, key, report)
    except KeyboardInterrupt:
        report.interrupted = True
        return report
    bar = tqdm(jobs, desc="documents", unit="doc", disable=not show_progress)
    try:
        for job in bar:
            bar.set_postfix_str(job.path.name[-30:])
            _one_document(job, out, options, translator, manifest, report, show_progress, refiner)
            release_freed()  # freed heap back to the system between documents (heap.py)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
        if jobs:
            save(out, manifest)  # the journal of this run folded into the manifest, once
    return report


def _one_document(job: Job, out: Path, options: BatchOptions, translator: Translator | None, manifest: dict,
                  report: BatchReport, show_progress: bool, refiner: Translator | None = None) -> None:
    try:
        brief = _brief_with_progress(job.path, translator, options, show_progress, refiner)
    except Exception as exc:  # one broken document must not cost the others (Ctrl-C still stops)
        record_failure(out, job.path, *failure(exc), report)
        return
    rendered, render_error, render_trace = render(brief, options, job.key)
    record(out, job, rendered, manifest, report, flagged(brief), brief.english_error, brief.english_trace,
           render_error, render_trace)


def _brief_with_progress(path: Path, translator: Translator | None, options: BatchOptions,
                         show_progress: bool, refiner: Translator | None = None) -> Brief:
    from tqdm import tqdm

    brief = prepare(path, options)
    inner = tqdm(total=0, desc="  sentences", unit="sent", leave=False,
                 disable=not show_progress or translator is None)

    def progress(done, total, what):
        inner.total = total
        inner.n = done
        inner.refresh()

    try:
        return translate(brief, translator, options, progress, refiner)
    finally:
        inner.close()
