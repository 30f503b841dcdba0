"""GPU throughput, cold and warm: `python benchmarks/translate_throughput.py --device cuda`.

The same random-weight model of opus-mt-zh-en's exact shape and the same fixed output
length as the CPU benchmark (ceil(1.3 × source tokens) new tokens, beam 4), on the GPU:

- naive: the per-sentence loop in fp32 (100 sentences only: at ~4 sentences/s, 2,000 would
  take minutes; its rate is used for the 2,000 ratio, and the table says so);
- transformers fp16, and CTranslate2 float16 and int8_float16 where CTranslate2 runs here
  (where it cannot, the row says why: the fallback the product takes).

Each path runs in its own process, three timings each: *cold* (a fresh process, first
pass, no warm-up), *warm-up* (`warm_up()`, what the batch command, Ray actors and a
preloading app do before serving) and the first pass after it, and *steady* (a second pass
over new sentences in the same process). GPU memory: the device's used memory sampled
every 20 ms, peak minus the level before the model loaded. Targets (issue 21): 100
sentences within 1 s warm, the first pass after warm-up within 1.5× steady, CTranslate2
ahead of transformers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

SIZES = (100, 2000)
DEVICE = "cuda"  # a sanity run on a CPU can set "cpu" (with MemorySampler replaced)
PATHS = ("naive", "transformers-fp16", "ct2-float16", "ct2-int8_float16")


def distinct_sentences(n: int) -> list[str]:
    """n different sentences: the seed's, then the seed's again behind a numbered opening
    (the engine translates a repeated sentence once, which would flatter it)."""
    from throughput_shared import seed_sentences

    seed = list(dict.fromkeys(seed_sentences(None)))
    out = list(seed[:n])
    k = 1
    while len(out) < n:
        out += [f"第{k}，{s}" for s in seed[:n - len(out)]]
        k += 1
    return out


class MemorySampler:
    """Peak device memory in use (all processes' view of this GPU), above a baseline."""

    def __init__(self):
        import torch

        torch.cuda.init()
        self._torch = torch
        self.baseline = self._used()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _used(self) -> int:
        free, total = self._torch.cuda.mem_get_info()
        return total - free

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._used())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return (max(self.peak, self._used()) - self.baseline) / 2**20


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_path(name: str, model_dir: Path, beams: int, size: int, warm: bool) -> dict:
    """One path in this process: the first pass (after warm-up when `warm`), then a steady pass."""
    from throughput_shared import output_tokens

    sentences = distinct_sentences(2 * size)
    first, second = sentences[:size], sentences[size:]
    memory = MemorySampler()
    if name == "naive":
        return _naive(model_dir, beams, first, memory)
    from qabrief.translate import load_translator

    options = dict(device=DEVICE, beams=beams, cache=False, guard=False, fixed_output_tokens=output_tokens)
    if name == "transformers-fp16":
        translator = load_translator(model_dir, backend="transformers", **options)
    else:
        quantization = name.split("-", 1)[1]
        translator = load_translator(Path(f"{model_dir}-ct2-{quantization}"), backend="ct2", compute_type=quantization,
                                     **options)
    tokens = sum(output_tokens(translator.count_tokens(s)) for s in first)
    warm_s = _timed(translator.warm_up) if warm else 0.0
    first_s = _timed(lambda: translator.translate(first))
    steady_s = _timed(lambda: translator.translate(second))
    return {"path": name, "sentences": size, "tokens": tokens, "warm_up_s": warm_s, "first_s": first_s,
            "steady_s": steady_s, "calls": translator.model_calls, "gpu_mb": memory.stop(),
            "description": translator.description}


def _naive(model_dir: Path, beams: int, sentences: list[str], memory: MemorySampler) -> dict:
    import torch
    from throughput_shared import output_tokens
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).to(DEVICE).eval()
    tokens = 0
    start = time.perf_counter()
    for s in sentences:
        enc = tokenizer([s], return_tensors="pt").to(DEVICE)
        n = output_tokens(enc["input_ids"].shape[1])
        with torch.no_grad():
            out = model.generate(**enc, num_beams=beams, min_new_tokens=n, max_new_tokens=n, max_length=None)
        tokenizer.batch_decode(out, skip_special_tokens=True)
        tokens += n
    seconds = time.perf_counter() - start
    return {"path": "naive", "sentences": len(sentences), "tokens": tokens, "warm_up_s": 0.0, "first_s": seconds,
            "steady_s": seconds, "calls": len(sentences), "gpu_mb": memory.stop(), "description": "fp32 loop"}


def main(model_dir: Path, beams: int, script: str) -> int:
    import torch

    if not torch.cuda.is_available():
        print("no CUDA GPU here (torch.cuda.is_available() is False): nothing to measure with --device cuda")
        return 0
    from qabrief.translate.ct2 import convert

    ct2_skip = {}
    for quant in ("float16", "int8_float16"):
        try:
            convert(model_dir, Path(f"{model_dir}-ct2-{quant}"), quant)
        except Exception as exc:  # CTranslate2 missing or the conversion failed: the row says why
            ct2_skip[f"ct2-{quant}"] = str(exc).splitlines()[0]
    rows = []
    for size in SIZES:
        for name in PATHS:
            if name in ct2_skip:
                rows.append({"path": name, "sentences": size, "skipped": ct2_skip[name]})
                continue
            if name == "naive" and size != SIZES[0]:
                continue
            for warm in (False, True):
                if name == "naive" and warm:
                    continue
                cmd = [sys.executable, script, "--gpu-worker", name, "--model-dir", str(model_dir), "--beams",
                       str(beams), "--size", str(size)] + (["--warm"] if warm else [])
                proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
                if proc.returncode:
                    reason = (proc.stderr.strip().splitlines() or ["failed"])[-1]
                    rows.append({"path": name, "sentences": size, "warm": warm, "skipped": reason[:200]})
                    continue
                row = json.loads(proc.stdout.strip().splitlines()[-1])
                row["warm"] = warm
                rows.append(row)
    _print(rows, beams, torch.cuda.get_device_name(0))
    return 0


def _print(rows: list[dict], beams: int, gpu: str) -> None:
    naive = next((r for r in rows if r["path"] == "naive" and "skipped" not in r), None)
    naive_rate = naive["sentences"] / naive["first_s"] if naive else None
    print(f"GPU: {gpu}; beam {beams}; random-weight opus-mt-zh-en shape; fixed output length")
    print(f"{'path':20s} {'sent':>5s} {'mode':>9s} {'warm-up':>8s} {'first':>8s} {'steady':>8s} "
          f"{'sent/s':>8s} {'first/steady':>12s} {'vs naive':>9s} {'GPU MB':>7s}")
    for r in rows:
        if "skipped" in r:
            print(f"{r['path']:20s} {r['sentences']:5d}  skipped: {r['skipped']}")
            continue
        mode = "warmed" if r["warm"] else "cold"
        rate = r["sentences"] / r["steady_s"]
        ratio = f"{rate / naive_rate:8.1f}x" if naive_rate else ""
        print(f"{r['path']:20s} {r['sentences']:5d} {mode:>9s} {r['warm_up_s']:7.2f}s {r['first_s']:7.2f}s "
              f"{r['steady_s']:7.2f}s {rate:8.1f} {r['first_s'] / r['steady_s']:11.2f}x {ratio} {r['gpu_mb']:7.0f}")
    if naive and any(r["sentences"] != naive["sentences"] for r in rows if "skipped" not in r):
        print(f"(vs naive at {SIZES[1]} sentences uses the naive rate measured on {naive['sentences']})")


def worker(name: str, model_dir: str, beams: int, size: int, warm: bool) -> int:
    print(json.dumps(run_path(name, Path(model_dir), beams, size, warm)))
    return 0
