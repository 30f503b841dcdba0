"""Eight requests to the app one after another, then all at once: time, English, memory.

    python benchmarks/app_concurrency.py [--model DIR_OR_PRESET] [--requests 8] [--compare]

Starts `app.py` on a free local port (default model: the tests' tiny MarianMT, trained on
the spot to memorise tests/data/memorize_pairs.tsv, since the real weights cannot be
downloaded here; the app converts it to CTranslate2 int8 as it would a real one), with the
translation cache off so every request reaches the model. Sends N different transcripts
(Q&As made of the memorised sentences in a different order and number each: a random-weight
model never ends a sentence, so every output would be cut off and retried in halves, which
measures the retry path rather than the model), full text, one after another, then all N
at once, and prints both wall times, their ratio (at once /
one after another: at most 1.0 when simultaneous requests share model calls instead of
fighting over them), whether each request's English at once equals its English alone,
and the server's peak resident memory (VmHWM). `--compare` runs a second server with
cross-request batching off (QABRIEF_BATCH_REQUESTS=off) for contrast.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "memorize_pairs.tsv"


def transcripts(n: int) -> list[str]:
    """n different Q&A transcripts of memorised sentences (rotated, 4 to 4+n-1 answers each)."""
    pairs = [line.split("\t")[0] for line in PAIRS.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    out = []
    for i in range(n):
        rotated = pairs[i % len(pairs):] + pairs[:i % len(pairs)]
        answer = "".join((rotated * 3)[: 4 + i])
        out.append(f"记者：{rotated[-1]}\n肖亚庆：{answer}\n记者：{rotated[-2]}\n肖亚庆：{answer}")
    return out


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def english(brief: dict) -> list:
    turns = [t for seg in brief.get("segments", []) for t in [seg["question"], *seg["answers"]] if t]
    return [[s["en"] for s in t["sentences"]] for t in turns]


def measure(model: str, tmp: Path, texts: list[str], extra_env: dict) -> dict:
    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "QABRIEF_MODEL": model, "GRADIO_SERVER_PORT": str(port), "HF_HUB_OFFLINE": "1",
           "QABRIEF_CACHE": "off", "QABRIEF_MODELS_DIR": str(tmp / "models"), "GRADIO_ANALYTICS_ENABLED": "False",
           "QABRIEF_CONCURRENCY": str(len(texts)), **extra_env}
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/"

        def ask(text):
            return Client(url, verbose=False).predict(text, 0, True, None, api_name="/brief")

        ask(texts[0][:200])  # warm-up: loads (and converts) the model
        idle = peak_rss_mb(server.pid)
        start = time.perf_counter()
        alone = [ask(t) for t in texts]
        sequential = time.perf_counter() - start
        start = time.perf_counter()
        with ThreadPoolExecutor(len(texts)) as pool:
            together = list(pool.map(ask, texts))
        at_once = time.perf_counter() - start
        errors = [b.get("error") for b in alone + together if b.get("error")]
        return {"sequential": sequential, "at_once": at_once, "errors": errors,
                "same": [english(b) for b in together] == [english(b) for b in alone],
                "translator": alone[0].get("translator"), "idle_mb": idle, "peak_mb": peak_rss_mb(server.pid)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", help="model for the app (default: a tiny model built now)")
    ap.add_argument("--requests", type=int, default=8)
    ap.add_argument("--compare", action="store_true", help="also run with cross-request batching off")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model = args.model
        if not model:
            model = str(tmp / "tiny")
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_tiny_model.py"), model, "--memorize",
                            str(PAIRS)], check=True, capture_output=True)
        texts = transcripts(args.requests)
        runs = {"batching on": {}} | ({"batching off": {"QABRIEF_BATCH_REQUESTS": "off"}} if args.compare else {})
        results = {name: measure(model, tmp, texts, env) for name, env in runs.items()}
    print(f"{args.requests} different transcripts, full text, cache off; "
          f"{results['batching on']['translator']}")
    for name, r in results.items():
        print(f"{name:13s} one after another {r['sequential']:6.1f}s, all at once {r['at_once']:6.1f}s, "
              f"ratio {r['at_once'] / r['sequential']:.2f}; English at once == alone: {r['same']}; "
              f"server peak RSS {r['idle_mb']:.0f} MB after warm-up, {r['peak_mb']:.0f} MB at the end"
              + (f"; ERRORS {r['errors'][:2]}" if r["errors"] else ""))
    ok = all(r["same"] and not r["errors"] for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
