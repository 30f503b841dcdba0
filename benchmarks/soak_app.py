"""Soak test of the public app: a bounded stream of good and bad requests from several clients.

    python benchmarks/soak_app.py [--seconds 240] [--warmup 60] [--clients 4] [--max-requests 2000] [--model DIR]

Starts `app.py` on a free loopback port with a tiny MarianMT (built on the spot: the real
weights cannot be downloaded here; the translation cache is off so every good request
reaches the model), then several clients send `/brief` requests in a fixed rotation until
the time or the request count runs out:

- good transcripts (the seed's Q&As, summaries and full text),
- empty text, English-only text, a 5.5 MiB paste, binary bytes, an HTML page with scripts,
- a request for a model outside the server's policy (`/etc`, an unknown hub id).

It prints requests sent, succeeded, refused with a clear message, and failed with a
traceback (an "unexpected error" answer, a transport error, or a traceback in the server
log: must be 0), and the server's resident memory (VmRSS) at start, after warm-up (one
rotation sent one at a time, then `--warmup` seconds of concurrent traffic: the server
reaches its working size only once briefs run side by side) and at the end, with the
growth after warm-up (should stay flat), and the RSS sampled every 15 s.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"
PAIRS = ROOT / "tests" / "data" / "memorize_pairs.tsv"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def requests_mix() -> list[tuple[str, tuple, str]]:
    """(kind, /brief arguments, expected outcome: "ok" or "refused")."""
    sys.path.insert(0, str(ROOT / "src"))
    from qabrief.parse import parse

    seed = parse(SEED)
    qas = ["\n".join(f"{t.speaker.label}：{t.text}" for t in seg.turns) for seg in seed.segments]
    rng = random.Random(0)
    binary = bytes(rng.randrange(256) for _ in range(4096)).decode("latin-1")
    html = ("<html><head><title>发布会</title><script>alert(1)</script></head><body>"
            "<p>记者：请问<script>alert(2)</script>如何？</p><p>王文涛：我们认为很好。</p></body></html>")
    mix = [(f"qa{i}", (text, 0, i % 2 == 1, None), "ok") for i, text in enumerate(qas)]
    mix += [("seed", (SEED.read_text(encoding="utf-8"), 2, False, None), "ok"),
            ("html", (html, 0, False, None), "ok"),
            ("empty", ("", 0, False, None), "refused"),
            ("english", ("Only English text here, no Chinese at all.", 0, False, None), "refused"),
            ("huge", ("记者：请问如何？\n" + "王文涛：很好。" * (5_800_000 // 21), 0, False, None), "refused"),
            ("binary", (binary, 0, False, None), "refused"),
            ("model-etc", (qas[0], 0, False, "/etc"), "refused"),
            ("model-hub", (qas[0], 0, False, "someone/unknown-model"), "refused")]
    return mix


def start_server(model: str, tmp: Path) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    env = {**os.environ, "QABRIEF_MODEL": model, "GRADIO_SERVER_PORT": str(port), "HF_HUB_OFFLINE": "1",
           "QABRIEF_CACHE_DIR": str(tmp / "cache"), "QABRIEF_MODELS_DIR": str(tmp / "models"),
           "QABRIEF_CACHE": "off", "GRADIO_ANALYTICS_ENABLED": "False", "QABRIEF_CONCURRENCY": "2"}
    env.pop("QABRIEF_ALLOW_ANY_MODEL", None)
    log = tmp / "server.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}/", log
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(log.read_text()) from None
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start in 180 s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=240.0, help="concurrent traffic, warm-up included")
    ap.add_argument("--warmup", type=float, default=60.0, help="concurrent seconds before the RSS baseline")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--max-requests", type=int, default=2000)
    ap.add_argument("--model", help="model folder for the app (default: a tiny model built now)")
    ap.add_argument("--skip", action="append", default=[], metavar="KIND", help="leave a kind of request out")
    args = ap.parse_args()
    from gradio_client import Client

    mix = [item for item in requests_mix() if item[0] not in args.skip]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        model = args.model
        if model is None:
            model = str(tmp / "tiny")
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_tiny_model.py"), model, "--memorize",
                            str(PAIRS)], check=True, capture_output=True)
        proc, url, log = start_server(model, tmp)
        try:
            rss_start = rss_mb(proc.pid)
            outcomes: Counter[str] = Counter()
            unexpected: list[str] = []
            messages: dict[str, str] = {}
            lock = threading.Lock()

            def send(client, item) -> None:
                kind, call_args, expected = item
                try:
                    result = client.predict(*call_args, api_name="/brief")
                    error = result.get("error") if isinstance(result, dict) else "not a JSON object"
                except Exception as exc:  # a transport error or a server-side exception
                    error = f"client exception {type(exc).__name__}: {str(exc)[:120]}"
                with lock:
                    messages.setdefault(kind, error or "brief")
                    outcomes["sent"] += 1
                    if error is None:
                        outcomes["succeeded"] += 1
                    elif error.startswith(("unexpected error", "client exception", "not a JSON")):
                        outcomes["failed with a traceback"] += 1
                        unexpected.append(f"{kind}: {error}")
                    else:
                        outcomes["refused with a message"] += 1
                    if (error is None) != (expected == "ok"):
                        outcomes["outcome not as expected"] += 1
                        unexpected.append(f"{kind}: expected {expected}, got {error or 'a brief'}")

            warm = Client(url, verbose=False)
            for item in mix:  # warm-up: one full rotation, one at a time
                send(warm, item)
            samples: list[tuple[float, float]] = []
            stop = threading.Event()
            start = time.monotonic()

            def sample() -> None:
                while not stop.wait(15):
                    samples.append((time.monotonic() - start, rss_mb(proc.pid)))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            deadline = start + args.seconds
            counter = itertools.count()

            def client_loop(n: int) -> None:
                client = Client(url, verbose=False)
                order = mix[n % len(mix):] + mix[: n % len(mix)]
                for item in itertools.cycle(order):
                    if time.monotonic() >= deadline or next(counter) >= args.max_requests:
                        return
                    send(client, item)

            with ThreadPoolExecutor(args.clients) as pool:
                list(pool.map(client_loop, range(args.clients)))
            elapsed = time.monotonic() - start
            rss_end = rss_mb(proc.pid)
            stop.set()
            after_warmup = [rss for at, rss in samples if at >= args.warmup]
            rss_warm = after_warmup[0] if after_warmup else rss_end
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        tracebacks = log.read_text(errors="replace").count("Traceback")
    outcomes["failed with a traceback"] += tracebacks
    print(f"soak: {args.clients} clients for {elapsed:.0f} s ({args.warmup:.0f} s warm-up); "
          f"{len(mix)} kinds of request")
    for key in ("sent", "succeeded", "refused with a message", "failed with a traceback", "outcome not as expected"):
        print(f"  {key:26s} {outcomes[key]:6d}")
    print(f"  tracebacks in server log   {tracebacks:6d}")
    print(f"  server RSS MB: start {rss_start:.0f}, after warm-up {rss_warm:.0f}, end {rss_end:.0f} "
          f"({(rss_end / rss_warm - 1) * 100:+.1f}% after warm-up)")
    print("  RSS every 15 s:", " ".join(f"{rss:.0f}" for _, rss in samples))
    for kind, message in messages.items():
        if message != "brief":
            print(f"  {kind:10s} → {message[:110]}")
    for line in unexpected[:10]:
        print("  !", line)
    return 1 if outcomes["failed with a traceback"] or outcomes["outcome not as expected"] else 0


if __name__ == "__main__":
    sys.exit(main())
