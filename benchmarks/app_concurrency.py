"""Eight simultaneous requests to the app: all complete (queued), peak server memory.

    python benchmarks/app_concurrency.py [--model DIR_OR_PRESET] [--requests 8]

Starts `app.py` on a free local port (default model: a tiny MarianMT built on the spot,
since the real weights cannot be downloaded here), sends N `/brief` requests at once
with gradio_client, each a different transcript, and prints per-request latency and the
server process's peak resident memory (VmHWM) before and after the burst.
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
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", help="model for the app (default: a tiny model built now)")
    ap.add_argument("--requests", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if not model:
            model = str(Path(tmp) / "tiny")
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_tiny_model.py"), model], check=True,
                           capture_output=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "QABRIEF_MODEL": model, "GRADIO_SERVER_PORT": str(port), "HF_HUB_OFFLINE": "1",
               "QABRIEF_CACHE_DIR": str(Path(tmp) / "cache"), "GRADIO_ANALYTICS_ENABLED": "False"}
        server = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            for _ in range(240):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.5)
            from gradio_client import Client

            url = f"http://127.0.0.1:{port}/"
            idle = peak_rss_mb(server.pid)
            body = SEED.read_text(encoding="utf-8").split("\n", 4)[4].split("。")
            texts = ["。".join(body[: 40 + 3 * i]) + "。" for i in range(args.requests)]  # all different

            def ask(text):
                start = time.perf_counter()
                result = Client(url, verbose=False).predict(text, api_name="/brief")
                return time.perf_counter() - start, len(result.get("segments", [])), result.get("error")

            start = time.perf_counter()
            with ThreadPoolExecutor(args.requests) as pool:
                results = list(pool.map(ask, texts))
            wall = time.perf_counter() - start
            ok = sum(1 for _, n, err in results if n and not err)
            print(f"{ok}/{args.requests} requests completed in {wall:.1f}s "
                  f"(concurrency limit {os.environ.get('QABRIEF_CONCURRENCY', '2')}, the rest queued)")
            for i, (seconds, n, err) in enumerate(results, 1):
                print(f"  request {i}: {seconds:6.1f}s, {n} segments{'  ERROR ' + err if err else ''}")
            print(f"server peak RSS: {idle:.0f} MB after start, {peak_rss_mb(server.pid):.0f} MB after the burst")
            return 0 if ok == args.requests else 1
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
