"""Batch bookkeeping at archive scale: is the cost per document flat over a long run?

Briefs N tiny documents (`--model none`: no model, so what grows is the bookkeeping) and
prints the mean time per document over the first and the last thousand, and their ratio;
issue 26's goal is a ratio of at most 1.5 at 10,000 documents. `--old` runs the same with
the manifest rewritten and synced after every document, as before the journal, to show
what the journal removed (that costs time in proportion to N², so try it at 3,000 first).

    python benchmarks/batch_manifest.py [--documents 10000] [--old]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from qabrief.batch import BatchOptions, BatchReport
from qabrief.batch import jobs as batch_jobs
from qabrief.batch import manifest as manifests
from qabrief.batch.local import _one_document


def run(documents: int, old: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        for i in range(documents):
            text = f"记者：请问第{i}季度的出口增长了多少？\n发言人：第{i}季度出口增长了{i % 97}%，好于预期。"
            (src / f"doc{i:05d}.txt").write_text(text, encoding="utf-8")
        options = BatchOptions(["json"])
        report = BatchReport()
        manifest, todo = batch_jobs.open_run([src], out, options, None, report)
        if old:  # the manifest rewritten after every document, as before the journal
            def add(out_, manifest_, key, entry, replaces=None):
                manifest_["documents"][key] = entry
                manifests.save(out_, manifest_)
            batch_jobs.manifests.add = add
        times = []
        for job in todo:
            started = time.perf_counter()
            _one_document(job, out, options, None, manifest, report, False)
            times.append(time.perf_counter() - started)
        manifests.save(out, manifest)
        assert len(report.written) == documents, report.summary()
        return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--old", action="store_true", help="rewrite the whole manifest after every document (before)")
    args = ap.parse_args()
    times = run(args.documents, args.old)
    k = min(1000, len(times) // 2)
    first, last = sum(times[:k]) / k, sum(times[-k:]) / k
    print(f"{'manifest rewritten per document' if args.old else 'journal'}: {args.documents} documents, "
          f"{sum(times):.1f} s; first {k}: {first * 1000:.2f} ms/doc, last {k}: {last * 1000:.2f} ms/doc, "
          f"ratio {last / first:.2f}")


if __name__ == "__main__":
    main()
