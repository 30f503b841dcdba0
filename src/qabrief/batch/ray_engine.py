"""The Ray Data engine (`qabrief batch --engine ray`): the same stages on a cluster.

The documents to do become a dataset that streams through three operators:
`prepare` (read, parse, summarize) as stateless tasks, `translate` in a pool of actors
that each load the model once (on their GPU when one is assigned), and `render` as
stateless tasks. Briefs travel between them pickled, one document per row. The driver
keeps only the manifest: it plans the run exactly as the local engine does (same keys,
same file names), then writes each document's outputs and manifest entry as the row
arrives, so a killed job resumes like a local one and nothing is redone or duplicated.

Trade-off: each actor translates one document per call, as the local engine does,
rather than pooling sentences of several documents into one model call. Batches of
different composition pad differently, and padding moves floating-point results, so
pooling would break "same bytes as the local engine"; a document's segments already
give the model batches of several sentences each.

Inputs and the output folder must be paths every worker can read (a shared filesystem
on a cluster); outputs are written by the driver only.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path

from ..errors import QabriefError
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

TranslatorFactory = Callable[[], "Translator | None"]
RAY_EXTRA = "pip install 'qabrief[ray]'"
# Environment that decides which model a worker loads and how: forwarded to every worker.
_FORWARDED_ENV = ("QABRIEF_", "HF_", "TRANSFORMERS_", "CT2_")


def run_batch_ray(inputs: list[Path], out: Path, options: BatchOptions, translator_factory: TranslatorFactory,
                  show_progress: bool = True, address: str | None = None, workers: int | None = None,
                  cpus_per_worker: float = 1.0, gpus_per_worker: float = 0.0,
                  translator_key: str | None = None) -> BatchReport:
    """Brief `inputs` into `out` on Ray: a local instance sized to the machine, or the
    cluster at `address` ("auto", "ray://host:10001"). `translator_factory` builds the
    translator inside each actor (None: Chinese only); `workers` is the actor pool size
    (default: one per GPU when `gpus_per_worker` is set, else one per `cpus_per_worker`
    CPUs). `translator_key`: what the documents' keys hold of the model (`translate.plan_key`),
    computed by the caller without loading it; the actors load the model, once each."""
    ray = _import_ray()
    from tqdm import tqdm

    started = _start(ray, address)
    report = BatchReport()
    try:
        manifest, jobs = open_run(inputs, out, options, translator_key, report)
        if not jobs:
            return report
        dataset = _dataset(ray, jobs, options, translator_factory,
                           workers or _default_workers(ray, cpus_per_worker, gpus_per_worker),
                           cpus_per_worker, gpus_per_worker)
        by_key = {job.key: job for job in jobs}
        bar = tqdm(total=len(jobs), desc="documents", unit="doc", disable=not show_progress)
        try:
            for row in dataset.iter_rows():
                job = by_key[row["key"]]
                if row["error"]:
                    record_failure(out, job.path, row["error"], row["trace"] or None, report)
                else:
                    record(out, job, pickle.loads(row["rendered"]), manifest, report, int(row["flagged"]),
                           row["english_error"] or None, row["english_trace"] or None,
                           row["render_error"] or None, row["render_trace"] or None)
                bar.update()
        finally:
            bar.close()
            save(out, manifest)  # the journal of this run folded into the manifest, once
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        if started:
            ray.shutdown()
    return report


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise QabriefError(f"--engine ray needs Ray Data: {RAY_EXTRA}") from None
    return ray


def _start(ray, address: str | None) -> bool:
    """Connect to Ray (True when this call started it, so it stops it too)."""
    if ray.is_initialized():
        _quiet(ray)
        return False
    # A local instance keeps its idle task workers: by default Ray kills any worker idle for
    # a second beyond one per CPU — here the actors already are — and the next light task
    # pays a new process, its imports and jieba's dictionaries again.
    extra = {} if address else {"_system_config": {"num_workers_soft_limit": 64}}
    ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="WARNING", **extra)
    _quiet(ray)
    return True


def _quiet(ray) -> None:
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the driver's documents bar says it
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # "execution finished in …" and the like


def _default_workers(ray, cpus_per_worker: float, gpus_per_worker: float) -> int:
    resources = ray.cluster_resources()
    if gpus_per_worker:
        return max(1, int(resources.get("GPU", 0) / gpus_per_worker))
    return max(1, int(resources.get("CPU", 1) / cpus_per_worker))


def _dataset(ray, jobs: list[Job], options: BatchOptions, translator_factory: TranslatorFactory, workers: int,
             cpus_per_worker: float, gpus_per_worker: float):
    rows = [{"source": pickle.dumps(job.path), "key": job.key} for job in jobs]  # a path or a link
    # Reading and rendering are short and reserve no CPU, so they run beside actors that
    # hold every CPU (2 workers on 2 cores) instead of waiting for one forever; a small
    # task pool bounds them. Ray Data retries failed tasks and restarts dead actors
    # (retrying their batch) by default; the driver's manifest makes a retry write nothing twice.
    light = {"num_cpus": 0, "compute": ray.data.TaskPoolStrategy(size=1)}
    # The environment that decides which model a worker loads and how goes with this run's
    # operators, not with the instance: an instance already running (a cluster, or one shared by
    # several runs) was started with someone else's environment.
    env = {k: v for k, v in os.environ.items() if k.startswith(_FORWARDED_ENV)}
    if env:
        light["runtime_env"] = {"env_vars": env}
    return (
        ray.data.from_items(rows, override_num_blocks=len(rows))
        .map(_prepare_row, fn_kwargs={"options": options}, **light)
        .map_batches(_TranslateDocuments, fn_constructor_kwargs={"factory": translator_factory, "options": options},
                     batch_size=1, compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=cpus_per_worker,
                     num_gpus=gpus_per_worker, **({"runtime_env": light["runtime_env"]} if env else {}))
        .map(_render_row, fn_kwargs={"options": options}, **light)
    )


def _prepare_row(row: dict, options: BatchOptions) -> dict:
    out = {"key": row["key"], "brief": b"", "error": "", "trace": ""}
    try:
        out["brief"] = pickle.dumps(prepare(pickle.loads(row["source"]), options))
    except Exception as exc:  # reported with the document; the others go on
        out["error"], out["trace"] = _failure_fields(exc)
    return out


class _TranslateDocuments:
    """One actor of the pool: loads the model once, then translates document after document."""

    def __init__(self, factory: TranslatorFactory, options: BatchOptions):
        from ..heap import share_one_arena

        share_one_arena()  # before the model's threads (heap.py)
        try:
            self.translator = factory()
        except Exception as exc:  # its documents still get their Chinese, with the reason
            from ..translate import UnavailableTranslator
            from ..translate.loading import failure_reason

            logging.getLogger(__name__).exception("the actor's translator failed to load")
            self.translator = UnavailableTranslator(failure_reason(exc))
        self.options = options

    def __call__(self, batch: dict) -> dict:
        briefs, errors, traces = list(batch["brief"]), list(batch["error"]), list(batch["trace"])
        for i, data in enumerate(briefs):
            if errors[i]:
                continue
            try:
                briefs[i] = pickle.dumps(translate(pickle.loads(data), self.translator, self.options))
            except Exception as exc:  # this document fails; the actor and the others go on
                errors[i], traces[i] = _failure_fields(exc)
        return {"key": list(batch["key"]), "brief": briefs, "error": errors, "trace": traces}


def _render_row(row: dict, options: BatchOptions) -> dict:
    out = {"key": row["key"], "rendered": b"", "flagged": 0, "english_error": "", "english_trace": "",
           "render_error": "", "render_trace": "", "error": row["error"], "trace": row["trace"]}
    if not out["error"]:
        try:
            brief = pickle.loads(row["brief"])
            rendered, out["render_error"], out["render_trace"] = render(brief, options, row["key"])
            out["render_error"], out["render_trace"] = out["render_error"] or "", out["render_trace"] or ""
            out["rendered"] = pickle.dumps(rendered)
            out["flagged"] = flagged(brief)
            out["english_error"], out["english_trace"] = brief.english_error or "", brief.english_trace or ""
        except Exception as exc:
            out["error"], out["trace"] = _failure_fields(exc)
    return out


def _failure_fields(exc: Exception) -> tuple[str, str]:
    reason, trace = failure(exc)
    return reason, trace or ""
