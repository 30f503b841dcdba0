"""Our Q&A summarizer beside lead-k and plain TextRank on the seed, plus runtime.

Usage: python benchmarks/summarize_baselines.py [TRANSCRIPT] [--sentences N] [--runs R]

For each segment and each method (same number of sentences), prints the chosen answer
sentences, and counts what a reader cares about: courtesy/hand-over sentences chosen
(lower is better), enumerated points covered, whether the question summary holds an
interrogative. Runtime is the mean over R runs after one warm-up run (jieba and OpenCC
dictionaries load during warm-up); the per-process word cache is cleared before each run,
so every run tokenises the document as a new one would.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from qabrief import parse
from qabrief.summarize import Budget, lead, plain_textrank, summarize_transcript
from qabrief.summarize.cues import enumerated_points, is_courtesy, is_interrogative

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_5e0600fa31af93ee.txt"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("transcript", nargs="?", type=Path, default=SEED)
    ap.add_argument("--sentences", type=int, default=None, help="budget per turn (default: ours, scaled)")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    budget = Budget(sentences=args.sentences)
    transcript = parse(args.transcript)
    summaries = summarize_transcript(transcript, budget)  # warm-up

    totals = {m: {"courtesy": 0, "points": 0, "asks": 0} for m in ("qabrief", "lead-k", "textrank")}
    for n, (seg, summ) in enumerate(zip(transcript.segments, summaries), 1):
        print(f"\n=== segment {n}: {' · '.join(summ.keywords)}")
        q = [s.text for s in seg.question.sentences] if seg.question else []
        kq = len(summ.question.picks) if summ.question else 0
        q_picks = {"qabrief": summ.question.indices if summ.question else [], "lead-k": lead(q, kq),
                   "textrank": plain_textrank(q, kq)}
        for m, idx in q_picks.items():
            totals[m]["asks"] += any(is_interrogative(q[i]) for i in idx)
        for ans in summ.answers:
            texts = [s.text for s in seg.answer[ans.turn].sentences]
            k = len(ans.picks)
            points = enumerated_points(texts)
            picks = {"qabrief": ans.indices, "lead-k": lead(texts, k), "textrank": plain_textrank(texts, k)}
            print(f"--- {ans.speaker.name or ans.speaker.label}: {len(texts)} sentences, k={k}, "
                  f"{len({p for p in points if p})} enumerated points")
            for m, idx in picks.items():
                courtesy = sum(is_courtesy(texts[i]) for i in idx)
                covered = len({points[i] for i in idx if points[i]})
                totals[m]["courtesy"] += courtesy
                totals[m]["points"] += covered
                print(f"  {m:9s} courtesy={courtesy} points={covered}")
                for i in idx:
                    print(f"      [{i:2d}] {texts[i][:48]}")

    print("\n=== totals over the document (courtesy: lower is better; points, asks: higher is better)")
    print(f"{'method':10s} {'courtesy':>8s} {'points':>7s} {'asks':>5s}")
    for m, t in totals.items():
        print(f"{m:10s} {t['courtesy']:8d} {t['points']:7d} {t['asks']:3d}/{len(transcript.segments)}")

    from qabrief.summarize.text import words

    times = []
    for _ in range(args.runs):
        words.cache_clear()  # a new document: nothing tokenised yet (dictionaries stay loaded)
        start = time.perf_counter()
        summarize_transcript(transcript, budget)
        times.append(time.perf_counter() - start)
    n_sent = sum(len(t.sentences) for t in transcript.turns)
    print(f"\nruntime per document after warm-up: mean {statistics.mean(times) * 1000:.1f} ms, "
          f"min {min(times) * 1000:.1f} ms over {args.runs} runs ({n_sent} sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
