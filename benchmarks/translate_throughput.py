"""Translation throughput: the naive one-sentence loop vs qabrief's translator (transformers
and CTranslate2 int8 backends).

    python benchmarks/translate_throughput.py [--beams 4] [--limit N] [--rounds 6] [--paths ...]
        [--model DIR] [--device cpu|cuda]

Builds a random-weight MarianMT with the exact architecture of Helsinki-NLP/opus-mt-zh-en
(vocab 65001, d_model 512, 6+6 layers, 8 heads, FFN 2048, ~78M parameters; the real
weights cannot be downloaded here) and translates the seed's sentences two ways:

- naive: what demos do since transformers 5 removed pipeline("translation") (and what
  that pipeline did per call): tokenizer → generate → decode, one sentence at a time;
- qabrief: `load_translator(...)`: length-sorted, token-budget batches, inference mode;
- qabrief-ct2: the same model converted with `qabrief models convert --quantization int8`
  (skipped when CTranslate2 is not installed).

Random weights never emit </s>, so both generate exactly ceil(1.3 × source tokens) new
tokens per sentence (qabrief: per batch, from its longest sentence, so it does at least
as much work). Same beam size for both. Each path runs in its own process, loaded once,
so peak resident memory is its own. On a CPU with native bf16 (AVX-512 BF16 or AMX) the
transformers path's default is bf16, and the fp32 and bf16 paths are measured beside it.

Two measurements per path:

- *one run*: the path's first pass over all the sentences, right after its process loaded
  the model, the paths one after another (the benchmark's figures before issue 33). Passes
  minutes apart see different load on a shared machine, so their ratios moved by half
  between runs;
- *rounds*: the sentences dealt into `--rounds` slices (sentence i in slice i mod rounds,
  so each slice spans the transcript); in each round every path translates the same slice,
  one after another, the order rotated each round. A round's ratio (naive seconds / the
  path's seconds, same sentences, seconds apart) sees the same machine; the table gives the
  median over rounds and the lowest and highest.

`--model DIR` measures a model folder instead of building the random-weight one (a quick
sanity run with a tiny model). `--device cuda` measures the GPU instead, cold and warm
(benchmarks/gpu_throughput.py); on a machine without one it says so and exits cleanly.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throughput_shared import SEED, build_model, output_tokens, peak_rss_mb, seed_sentences

__all__ = ["SEED", "build_model", "output_tokens", "peak_rss_mb", "seed_sentences"]  # other benchmarks import them


def load_naive(model_dir: Path, beams: int):
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()

    def run(sentences: list[str]) -> dict:
        tokens = 0
        start = time.perf_counter()
        for s in sentences:
            enc = tokenizer([s], return_tensors="pt")
            n = output_tokens(enc["input_ids"].shape[1])
            with torch.no_grad():
                out = model.generate(**enc, num_beams=beams, min_new_tokens=n, max_new_tokens=n, max_length=None)
            tokenizer.batch_decode(out, skip_special_tokens=True)
            tokens += n
        return {"seconds": time.perf_counter() - start, "tokens": tokens, "calls": len(sentences)}

    return run


def _timed(translator):
    def run(sentences: list[str]) -> dict:
        tokens = sum(output_tokens(translator.count_tokens(s)) for s in sentences)
        calls = translator.model_calls
        start = time.perf_counter()
        translator.translate(sentences)
        return {"seconds": time.perf_counter() - start, "tokens": tokens, "calls": translator.model_calls - calls}

    return run


def load_qabrief(model_dir: Path, beams: int, precision: str = "auto"):
    from qabrief.translate import load_translator

    # guard off: random weights produce nothing but "degenerate" output, and the naive loop has no guard;
    # backend forced: "auto" would convert the model and measure CTranslate2 instead
    return _timed(load_translator(model_dir, device="cpu", backend="transformers", beams=beams, cache=False,
                                  guard=False, fixed_output_tokens=output_tokens, precision=precision))


def load_ct2(model_dir: Path, beams: int, inter_threads: int | None = None):
    from qabrief.translate import load_translator

    return _timed(load_translator(Path(str(model_dir) + "-ct2-int8"), backend="ct2", beams=beams, cache=False,
                                  guard=False, fixed_output_tokens=output_tokens, inter_threads=inter_threads))


WORKERS = {"naive": load_naive, "qabrief": load_qabrief,
           "qabrief-fp32": lambda d, b: load_qabrief(d, b, "fp32"),
           "qabrief-bf16": lambda d, b: load_qabrief(d, b, "bf16"),
           "qabrief-int8": lambda d, b: load_qabrief(d, b, "int8"), "qabrief-ct2": load_ct2,
           "ct2-inter1": lambda d, b: load_ct2(d, b, 1), "ct2-inter2": lambda d, b: load_ct2(d, b, 2)}


def default_paths() -> str:
    from qabrief.translate.device import cpu_has_bf16

    bf16 = ",qabrief-fp32,qabrief-bf16" if cpu_has_bf16() else ""
    return f"naive,qabrief{bf16},qabrief-int8,qabrief-ct2"


def deal(sentences: list[str], rounds: int) -> list[list[str]]:
    """Sentence i goes to slice i mod rounds: every slice spans the transcript."""
    return [sentences[k::rounds] for k in range(rounds)]


def worker(args) -> int:
    """One path, loaded once; the parent says what to translate, one line each on stdin:
    `all` (every sentence), `slice K` (round K's slice) or `quit`; one JSON line back each."""
    sentences = seed_sentences(args.limit)
    slices = deal(sentences, args.rounds)
    run = WORKERS[args.worker](Path(args.model_dir), args.beams)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        chosen = sentences if command[0] == "all" else slices[int(command[1])]
        result = run(chosen)
        result.update(sentences=len(chosen), peak_rss_mb=peak_rss_mb())
        print(json.dumps(result), flush=True)
    return 0


class Path_:
    """A path's worker process."""

    def __init__(self, name: str, model_dir: Path, args):
        cmd = [sys.executable, __file__, "--worker", name, "--model-dir", str(model_dir), "--beams", str(args.beams),
               "--rounds", str(args.rounds)] + (["--limit", str(args.limit)] if args.limit else [])
        self.name = name
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "HF_HUB_OFFLINE": "1"})
        self.ask(None)  # loaded

    def ask(self, command: str | None) -> dict:
        if command:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"path {self.name} stopped (exit status {self.proc.wait()}); its error is above")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(60)


def measure(paths: list[str], model_dir: Path, args) -> tuple[dict, dict]:
    """(one run per path, the rounds: path → one result per round)."""
    one_run, rounds, workers = {}, {name: [] for name in paths}, []
    try:
        for name in paths:  # each path's first pass, right after it loaded, one after another
            workers.append(Path_(name, model_dir, args))
            one_run[name] = workers[-1].ask("all")
        for k in range(args.rounds):
            shift = k % len(workers)
            for w in workers[shift:] + workers[:shift]:  # the order rotated each round
                rounds[w.name].append(w.ask(f"slice {k}"))
    finally:
        for w in workers:
            w.close()
    return one_run, rounds


def table(one_run: dict, rounds: dict, args) -> str:
    """The figures: one run per path (as before) and the rounds' median with the range."""
    import torch

    from qabrief.translate.device import cpu_flags

    native = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16") if f in cpu_flags()]
    first = next(iter(one_run.values()))
    sizes = [r["sentences"] for r in next(iter(rounds.values()))]
    lines = [f"machine: {platform.machine()}, {platform.processor() or '?'}, {os.cpu_count()} cores "
             f"({', '.join(native) or 'no AVX'}), torch {torch.__version__}, threads {torch.get_num_threads()}; "
             f"beam {args.beams}; {first['sentences']} seed sentences; {len(sizes)} rounds of "
             f"{min(sizes)}{'' if min(sizes) == max(sizes) else f'–{max(sizes)}'} sentences, the paths interleaved",
             f"{'':12s} {'one run (a pass per path, one after another)':>44s} | "
             f"{'rounds (the same slice for every path, in turn)':>49s} |",
             f"{'path':12s} {'sent/s':>8s} {'tokens/s':>9s} {'seconds':>8s} {'vs naive':>9s} {'calls':>6s} | "
             f"{'sent/s':>8s} {'vs naive: median':>17s} {'[lowest–highest]':>17s} {'rounds':>6s} | {'peak RSS':>9s}"]
    naive_one, naive_rounds = one_run.get("naive"), rounds.get("naive")
    for name, r in one_run.items():
        ratio = f"{naive_one['seconds'] / r['seconds']:8.2f}x" if naive_one else ""
        mine = rounds[name]
        rate = statistics.median(x["sentences"] / x["seconds"] for x in mine)
        if naive_rounds:
            ratios = [n["seconds"] / x["seconds"] for n, x in zip(naive_rounds, mine)]
            spread = f"{statistics.median(ratios):16.2f}x [{min(ratios):5.2f}–{max(ratios):5.2f}x]"
        else:
            spread = f"{'':17s} {'':17s}"
        lines.append(f"{name:12s} {r['sentences'] / r['seconds']:8.2f} {r['tokens'] / r['seconds']:9.1f} "
                     f"{r['seconds']:8.1f} {ratio:>9s} {r['calls']:6d} | {rate:8.2f} {spread} {len(mine):6d} | "
                     f"{r['peak_rss_mb']:6.0f} MB")
    lines.append("one run: each path's figures from a single pass, minutes apart from the others'; rounds: "
                 "sent/s is the median round's, each ratio naive seconds / the path's seconds on the same "
                 "slice, the median over rounds with the lowest and highest")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--limit", type=int, default=None, help="first N sentences of the seed (default: all)")
    ap.add_argument("--rounds", type=int, default=6, help="slices of the sentences, each translated by every path "
                                                          "in turn (default 6)")
    ap.add_argument("--paths", help=f"comma-separated, from {', '.join(WORKERS)} (default: {default_paths()})")
    ap.add_argument("--model", type=Path, help="a model folder to measure instead of the random-weight "
                                               "opus-mt-zh-en architecture (e.g. a tiny one, for a sanity run)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                    help="cuda: the GPU paths, cold and warm (benchmarks/gpu_throughput.py)")
    ap.add_argument("--worker", choices=list(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--gpu-worker", help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model-dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if args.worker:
        return worker(args)
    if args.gpu_worker:
        import gpu_throughput

        return gpu_throughput.worker(args.gpu_worker, args.model_dir, args.beams, args.size, args.warm)
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():  # before building a 300 MB model for nothing
            print("no CUDA GPU here (torch.cuda.is_available() is False): nothing to measure with --device cuda")
            return 0
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "opus-mt-zh-en-architecture"
        if args.model:
            import shutil

            shutil.copytree(args.model, model_dir)  # the CTranslate2 conversion lands beside it, in tmp
        else:
            build_model(model_dir)
        if args.device == "cuda":
            import gpu_throughput

            return gpu_throughput.main(model_dir, args.beams, __file__)
        paths = (args.paths or default_paths()).split(",")
        try:
            from qabrief.translate.ct2 import convert

            convert(model_dir, Path(str(model_dir) + "-ct2-int8"), "int8")
        except Exception as exc:  # CTranslate2 missing or the conversion failed: report and go on
            print(f"skipping the ct2 paths: {exc}", file=sys.stderr)
            paths = [p for p in paths if "ct2" not in p]
        try:
            one_run, rounds = measure(paths, model_dir, args)
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
    print(table(one_run, rounds, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
