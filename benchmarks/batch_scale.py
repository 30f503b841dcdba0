"""Batch engines compared: local vs Ray Data with 1 and 2 translation actors.

    python benchmarks/batch_scale.py [--docs 40] [--backend auto|transformers]

40 different transcripts (the corpus's 28, the seed, the report folders' transcripts, and
seed variants with a sentence dropped when more are asked for) are briefed (summaries
translated, md+json) by the local engine and by `--engine ray` with 1 and 2 workers, on a
random-weight MarianMT with the architecture of Helsinki-NLP/opus-mt-zh-en (the real
weights cannot be downloaded here; it emits exactly ceil(1.3 × source tokens) tokens per
sentence, so every engine does the same work). Each engine runs in its own process, so the
driver's peak RSS is its own; each actor's translator records its process's peak RSS.
Prints documents/s, the Ray/local ratio and the peak memory of the driver and each worker.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"
sys.path.insert(0, str(ROOT / "benchmarks"))  # the driver's path, which Ray gives its workers too
from translate_throughput import build_model, peak_rss_mb  # noqa: E402


def output_tokens(source_tokens: int) -> int:
    return math.ceil(1.3 * source_tokens)


def documents(folder: Path, count: int) -> None:
    """`count` different transcripts copied into `folder` (a benchmark's scratch copy)."""
    sources = sorted((SHARED / "transcripts").glob("*.txt")) + [SEED]
    sources += sorted((SHARED / "reports").glob("*/transcript.txt"))
    folder.mkdir(parents=True)
    for i, src in enumerate(sources[:count]):
        shutil.copy(src, folder / f"{i:02d}-{src.parent.name if src.name == 'transcript.txt' else src.stem}.txt")
    lines = SEED.read_text(encoding="utf-8").split("。")
    for i in range(len(sources), count):  # more asked for than the corpus has: seed variants
        (folder / f"{i:02d}-seed-variant.txt").write_text("。".join(lines[:i] + lines[i + 1:]), encoding="utf-8")


class PeakRecording:
    """Wraps the translator of a worker: after each call, writes the process's peak RSS."""

    def __init__(self, inner, folder: str):
        self.inner, self.folder = inner, folder
        self.cache_key, self.description = inner.cache_key, inner.description

    def translate(self, sentences):
        return [t.text for t in self.translate_detailed(sentences)]

    def translate_detailed(self, sentences):
        out = self.inner.translate_detailed(sentences)
        Path(self.folder, f"worker-{os.getpid()}.json").write_text(json.dumps({"peak_rss_mb": peak_rss_mb()}))
        return out


def translator_factory(model_dir: str, backend: str, rss_folder: str, inter_threads: int | None = None):
    def factory():
        from qabrief.translate import load_translator

        extra = {"inter_threads": inter_threads} if inter_threads else {}
        return PeakRecording(load_translator(model_dir, device="cpu", backend=backend, cache=False, guard=False,
                                             fixed_output_tokens=output_tokens, **extra), rss_folder)
    return factory


def ray_spec(engine: str) -> tuple[int, float, int | None]:
    """"ray-2" → 2 workers of 1 CPU; "ray-1x2" → 1 worker of 2 CPUs; "ray-2i2" → CTranslate2
    inter_threads 2 in each actor whatever its CPUs."""
    m = re.fullmatch(r"ray-(\d+)(?:x(\d+))?(?:i(\d+))?", engine)
    if not m:
        raise SystemExit(f"unknown engine {engine}")
    return int(m[1]), float(m[2] or 1), int(m[3]) if m[3] else None


def run_engine(args) -> int:
    """One engine over the documents, in this process; prints a JSON line."""
    from qabrief.batch import BatchOptions, run_batch

    options = BatchOptions(["md", "json"])
    start = time.perf_counter()
    if args.engine == "local":
        factory = translator_factory(args.model_dir, args.backend, args.rss_folder)
        report = run_batch([Path(args.docs_dir)], Path(args.out), options, factory(), show_progress=False)
    else:
        from qabrief.batch.ray_engine import run_batch_ray

        workers, cpus, inter = ray_spec(args.engine)
        factory = translator_factory(args.model_dir, args.backend, args.rss_folder, inter)
        report = run_batch_ray([Path(args.docs_dir)], Path(args.out), options, factory, show_progress=False,
                               workers=workers, cpus_per_worker=cpus)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "written": len(report.written), "failed": len(report.failed),
                      "driver_peak_rss_mb": peak_rss_mb()}))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--backend", default="auto", choices=["auto", "transformers"])
    ap.add_argument("--engines", default="local,ray-1,ray-2")
    for hidden in ("--engine", "--model-dir", "--docs-dir", "--out", "--rss-folder"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.engine:
        return run_engine(args)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model_dir = tmp / "opus-mt-zh-en-architecture"
        build_model(model_dir)
        documents(tmp / "docs", args.docs)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "QABRIEF_MODELS_DIR": str(tmp / "models"), "QABRIEF_CACHE": "off"}
        for engine in args.engines.split(","):
            rss = tmp / f"rss-{engine}"
            rss.mkdir()
            cmd = [sys.executable, __file__, "--engine", engine, "--model-dir", str(model_dir), "--docs-dir",
                   str(tmp / "docs"), "--out", str(tmp / f"out-{engine}"), "--rss-folder", str(rss),
                   "--backend", args.backend]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if proc.returncode:
                print(proc.stderr[-4000:], file=sys.stderr)
                return proc.returncode
            results[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
            results[engine]["workers"] = sorted(json.loads(p.read_text())["peak_rss_mb"] for p in rss.iterdir())
        same = {e: _same_outputs(tmp / "out-local", tmp / f"out-{e}") for e in results if e != "local"}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {args.docs} documents; backend {args.backend}; "
          "random-weight opus-mt-zh-en architecture, beam 4")
    print(f"{'engine':8s} {'docs/s':>7s} {'seconds':>8s} {'written':>8s} {'driver RSS':>11s}  worker peak RSS")
    for engine, r in results.items():
        workers = ", ".join(f"{w:.0f}" for w in r["workers"]) or "-"
        print(f"{engine:8s} {r['written'] / r['seconds']:7.3f} {r['seconds']:8.1f} {r['written']:8d} "
              f"{r['driver_peak_rss_mb']:8.0f} MB  {workers} MB")
    if "local" in results:
        for engine in (e for e in results if e != "local"):
            print(f"ratio {engine}/local: {results['local']['seconds'] / results[engine]['seconds']:.2f}x documents/s; "
                  f"outputs identical to local (but thread counts): {same[engine]}")
    return 0


def _same_outputs(a: Path, b: Path) -> bool:
    def read(folder):
        return {p.name: re.sub(rb", \d+ threads", b"", p.read_bytes()) for p in folder.iterdir()
                if not p.name.startswith(".")}
    return read(a) == read(b)


if __name__ == "__main__":
    sys.exit(main())
