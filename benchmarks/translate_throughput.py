"""Translation throughput: the naive one-sentence loop vs qabrief's translator (transformers
and CTranslate2 int8 backends).

    python benchmarks/translate_throughput.py [--beams 4] [--limit N] [--device cpu|cuda]

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
as much work). Each path runs in its own process so peak resident memory is its own.
Same beam size for both. Prints sentences/s, tokens/s, peak RSS and the ratio. On a CPU
with native bf16 (AVX-512 BF16 or AMX) the transformers path's default is bf16, and the
fp32 and bf16 paths are measured beside it so the choice shows in one run.

`--device cuda` measures the GPU instead, cold and warm (benchmarks/gpu_throughput.py);
on a machine without one it says so and exits cleanly.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across
    fork and exec from the parent that built the model)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def output_tokens(source_tokens: int) -> int:
    return math.ceil(1.3 * source_tokens)


def seed_sentences(limit: int | None) -> list[str]:
    from qabrief import parse
    from qabrief.translate.prepare import prepare_source

    transcript = parse(SEED)
    sentences = [prepare_source(s.text) for t in transcript.turns for s in t.sentences]
    return [s for s in sentences if s][:limit]


def build_model(out: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_tiny_model import build

    tokenizer, model = build(out, [], d_model=512, layers=6, heads=8, ffn=2048, vocab_size=65001, max_length=512)
    model.generation_config.num_beams = 4
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def run_naive(model_dir: Path, sentences: list[str], beams: int) -> dict:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()
    tokens = 0
    start = time.perf_counter()
    for s in sentences:
        enc = tokenizer([s], return_tensors="pt")
        n = output_tokens(enc["input_ids"].shape[1])
        with torch.no_grad():
            out = model.generate(**enc, num_beams=beams, min_new_tokens=n, max_new_tokens=n, max_length=None)
        tokenizer.batch_decode(out, skip_special_tokens=True)
        tokens += n
    return {"seconds": time.perf_counter() - start, "tokens": tokens}


def run_qabrief(model_dir: Path, sentences: list[str], beams: int, max_batch_tokens: int | None = None,
                precision: str = "auto") -> dict:
    from qabrief.translate import load_translator

    # guard off: random weights produce nothing but "degenerate" output, and the naive loop has no guard;
    # backend forced: "auto" would convert the model and measure CTranslate2 instead
    translator = load_translator(model_dir, device="cpu", backend="transformers", beams=beams, cache=False,
                                 guard=False, fixed_output_tokens=output_tokens, max_batch_tokens=max_batch_tokens,
                                 precision=precision)
    tokens = sum(output_tokens(translator.count_tokens(s)) for s in sentences)
    start = time.perf_counter()
    translator.translate(sentences)
    return {"seconds": time.perf_counter() - start, "tokens": tokens, "calls": translator.model_calls}


def run_ct2(model_dir: Path, sentences: list[str], beams: int, inter_threads: int | None = None) -> dict:
    from qabrief.translate import load_translator

    translator = load_translator(Path(str(model_dir) + "-ct2-int8"), backend="ct2", beams=beams, cache=False,
                                 guard=False, fixed_output_tokens=output_tokens, inter_threads=inter_threads)
    tokens = sum(output_tokens(translator.count_tokens(s)) for s in sentences)
    start = time.perf_counter()
    translator.translate(sentences)
    return {"seconds": time.perf_counter() - start, "tokens": tokens, "calls": translator.model_calls}


def run_qabrief_int8(model_dir: Path, sentences: list[str], beams: int) -> dict:
    return run_qabrief(model_dir, sentences, beams, precision="int8")


def run_qabrief_fp32(model_dir: Path, sentences: list[str], beams: int) -> dict:
    return run_qabrief(model_dir, sentences, beams, precision="fp32")


def run_qabrief_bf16(model_dir: Path, sentences: list[str], beams: int) -> dict:
    return run_qabrief(model_dir, sentences, beams, precision="bf16")


def run_ct2_inter1(model_dir: Path, sentences: list[str], beams: int) -> dict:
    return run_ct2(model_dir, sentences, beams, inter_threads=1)


def run_ct2_inter2(model_dir: Path, sentences: list[str], beams: int) -> dict:
    return run_ct2(model_dir, sentences, beams, inter_threads=2)


WORKERS = {"naive": run_naive, "qabrief": run_qabrief, "qabrief-fp32": run_qabrief_fp32,
           "qabrief-bf16": run_qabrief_bf16, "qabrief-int8": run_qabrief_int8, "qabrief-ct2": run_ct2,
           "ct2-inter1": run_ct2_inter1, "ct2-inter2": run_ct2_inter2}


def default_paths() -> str:
    from qabrief.translate.device import cpu_has_bf16

    bf16 = ",qabrief-fp32,qabrief-bf16" if cpu_has_bf16() else ""
    return f"naive,qabrief{bf16},qabrief-int8,qabrief-ct2"


def worker(args) -> int:
    sentences = seed_sentences(args.limit)
    result = WORKERS[args.worker](Path(args.model_dir), sentences, args.beams)
    result["sentences"] = len(sentences)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--limit", type=int, default=None, help="first N sentences of the seed (default: all)")
    ap.add_argument("--paths", help=f"comma-separated, from {', '.join(WORKERS)} (default: {default_paths()})")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                    help="cuda: the GPU paths, cold and warm (benchmarks/gpu_throughput.py)")
    ap.add_argument("--worker", choices=list(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--gpu-worker", help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model-dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
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
        results = {}
        for name in paths:
            cmd = [sys.executable, __file__, "--worker", name, "--model-dir", str(model_dir), "--beams",
                   str(args.beams)] + (["--limit", str(args.limit)] if args.limit else [])
            proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
            if proc.returncode:
                print(proc.stderr, file=sys.stderr)
                return proc.returncode
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    import torch

    first = next(iter(results.values()))
    from qabrief.translate.device import cpu_flags

    native = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16") if f in cpu_flags()]
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, {os.cpu_count()} cores "
          f"({', '.join(native) or 'no AVX'}), torch {torch.__version__}, threads {torch.get_num_threads()}; "
          f"beam {args.beams}; {first['sentences']} seed sentences")
    print(f"{'path':12s} {'sent/s':>8s} {'tokens/s':>9s} {'seconds':>8s} {'peak RSS':>9s} {'vs naive':>9s}")
    naive = results.get("naive")
    for name, r in results.items():
        ratio = f"{naive['seconds'] / r['seconds']:8.2f}x" if naive else ""
        print(f"{name:12s} {r['sentences'] / r['seconds']:8.2f} {r['tokens'] / r['seconds']:9.1f} "
              f"{r['seconds']:8.1f} {r['peak_rss_mb']:7.0f} MB {ratio}   "
              f"({r.get('calls', r['sentences'])} generate calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
