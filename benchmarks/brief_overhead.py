"""Whole brief vs model time, peak memory of a full-text brief, and resident memory over a batch.

    python benchmarks/brief_overhead.py [--curve 100] [--backends transformers,ct2]

On a random-weight MarianMT with the architecture of Helsinki-NLP/opus-mt-zh-en (built by
translate_throughput.py's `build_model`; it emits exactly ceil(1.3 × source tokens) tokens
per sentence):

- for each backend, in its own process: the seed's full-text brief end to end (read,
  parse, summarize, translate, fidelity checks, render HTML+Markdown+JSON) against the
  time spent inside the model's generate calls; the ratio is qabrief's own overhead.
  Peak RSS (VmHWM) of that process: the memory a full-text brief of the seed needs.
- `--curve N`: the local batch engine over N different documents (the corpus and seed
  variants, shuffled) with the CTranslate2 int8 backend, one summary-length brief each; prints the
  resident memory (VmRSS) after documents 1, 5, 10, … and its growth after the fifth.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from translate_throughput import SEED, build_model, output_tokens  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def memory_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def translator(model_dir: str, backend: str):
    from qabrief.translate import load_translator

    folder = model_dir + "-ct2-int8" if backend == "ct2" else model_dir
    return load_translator(folder, device="cpu", backend=backend, cache=False, guard=False,
                           fixed_output_tokens=output_tokens)


def whole_brief(model_dir: str, backend: str) -> dict:
    from qabrief.brief import make_brief
    from qabrief.heap import share_one_arena
    from qabrief.render import render_html, render_json, render_markdown

    share_one_arena()  # as the app and the CLI do
    model = translator(model_dir, backend)
    inner = getattr(model, "inner", model)
    generate, spent = inner._generate_batches, [0.0]

    def timed(*args, **kwargs):  # time inside the model, measured around every generate call
        start = time.perf_counter()
        try:
            return generate(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    inner._generate_batches = timed
    start = time.perf_counter()
    brief = make_brief(SEED.read_bytes(), model, full_text=True)
    for render in (render_html, render_markdown, render_json):
        render(brief)
    total = time.perf_counter() - start
    sentences = sum(1 for t in brief.opening + [t for s in brief.segments for t in [s.question, *s.answers] if t]
                    for _ in t.sentences)
    return {"total": total, "model": spent[0], "sentences": sentences, "calls": inner.model_calls,
            "peak_rss_mb": memory_mb("VmHWM"), "description": model.description}


def documents(folder: Path, count: int) -> list[Path]:
    """`count` different documents in a fixed shuffled order: corpus transcripts of every
    size and the (large) seed variants mixed, as an archive comes, so that growth after the
    fifth measures what accumulates, not the step from small to large documents."""
    import random

    sources = sorted((SHARED / "transcripts").glob("*.txt")) + [SEED]
    sources += sorted((SHARED / "reports").glob("*/transcript.txt"))
    folder.mkdir(parents=True)
    out = []
    lines = SEED.read_text(encoding="utf-8").split("。")
    for i in range(count):
        path = folder / f"{i:03d}.txt"
        if i < len(sources):
            path.write_bytes(sources[i].read_bytes())
        else:  # the seed with one sentence dropped: a different document each time
            k = 5 + (i - len(sources)) % (len(lines) - 6)
            path.write_text("。".join(lines[:k] + lines[k + 1:]), encoding="utf-8")
        out.append(path)
    random.Random(0).shuffle(out)
    return out


def curve(model_dir: str, count: int, scratch: str) -> dict:
    from qabrief.batch import BatchOptions, run_batch
    from qabrief.heap import share_one_arena

    share_one_arena()  # as `qabrief batch` does
    model = translator(model_dir, "ct2")
    docs = documents(Path(scratch) / "docs", count)
    options = BatchOptions(["md", "json"])
    rss = []
    for doc in docs:  # one document per call, so the memory can be read after each
        report = run_batch([doc], Path(scratch) / "out", options, model, show_progress=False)
        assert not report.failed, report.summary()
        rss.append(memory_mb("VmRSS"))
    return {"rss": rss}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="transformers,ct2")
    ap.add_argument("--curve", type=int, default=0, help="documents for the resident-memory curve (0: skip)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--model-dir", help=argparse.SUPPRESS)
    ap.add_argument("--scratch", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker == "curve":
        print(json.dumps(curve(args.model_dir, args.curve, args.scratch)))
        return 0
    if args.worker:
        print(json.dumps(whole_brief(args.model_dir, args.worker)))
        return 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "opus-mt-zh-en-architecture"
        build_model(model_dir)
        from qabrief.translate.ct2 import convert

        convert(model_dir, Path(str(model_dir) + "-ct2-int8"), "int8")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "QABRIEF_MODELS_DIR": str(Path(tmp) / "models")}
        jobs = args.backends.split(",") + (["curve"] if args.curve else [])
        for job in jobs:
            cmd = [sys.executable, __file__, "--worker", job, "--model-dir", str(model_dir), "--scratch",
                   str(Path(tmp) / job), "--curve", str(args.curve)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if proc.returncode:
                print(proc.stderr[-4000:], file=sys.stderr)
                return proc.returncode
            results[job] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; the seed's full text; "
          "random-weight opus-mt-zh-en architecture, beam 4")
    print(f"{'backend':13s} {'sentences':>9s} {'brief s':>8s} {'model s':>8s} {'ratio':>6s} {'peak RSS':>9s}")
    for job in (j for j in jobs if j != "curve"):
        r = results[job]
        print(f"{job:13s} {r['sentences']:9d} {r['total']:8.1f} {r['model']:8.1f} {r['total'] / r['model']:6.3f} "
              f"{r['peak_rss_mb']:6.0f} MB   ({r['description']}, {r['calls']} generate calls)")
    if args.curve:
        rss = results["curve"]["rss"]
        marks = [1, 5] + list(range(10, len(rss) + 1, 10))
        print("resident memory over the batch (CTranslate2 int8): "
              + ", ".join(f"doc {m}: {rss[m - 1]:.0f} MB" for m in marks if m <= len(rss)))
        print(f"growth after the fifth document: {100 * (rss[-1] - rss[4]) / rss[4]:+.1f}% "
              f"(max {max(rss[4:]):.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
