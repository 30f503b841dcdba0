"""Speaker turns on the real transcripts: precision, recall and role accuracy per document.

    python benchmarks/parse_corpus.py

Compares `qabrief.parse` with the turns written by hand in tests/data/parse_corpus/ for
every transcript of ../shared/corpus/transcripts/, and prints one row per document, the
totals over the corpus, and the turns it missed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]


def main() -> int:
    from qabrief import parse

    from corpus import TRANSCRIPTS, corpus_names, score_turns, transcript_text

    rows = [score_turns(name, parse(transcript_text(TRANSCRIPTS / f"{name}.txt"))) for name in corpus_names()]
    print(f"{'document':52s} {'exp':>4s} {'got':>4s} {'match':>5s} {'P':>5s} {'R':>5s} {'F1':>5s} {'role':>5s}")
    for r in rows:
        print(f"{r.name[:52]:52s} {r.expected:4d} {r.predicted:4d} {r.matched:5d} {r.precision:5.2f} "
              f"{r.recall:5.2f} {r.f1:5.2f} {r.role_accuracy:5.2f}")
    e, p, m = (sum(getattr(r, k) for r in rows) for k in ("expected", "predicted", "matched"))
    roles = sum(r.roles_right for r in rows)
    precision, recall = m / p, m / e
    print(f"{'corpus':52s} {e:4d} {p:4d} {m:5d} {precision:5.3f} {recall:5.3f} "
          f"{2 * precision * recall / (precision + recall):5.3f} {roles / m:5.3f}")
    for r in rows:
        for missed in r.missed:
            print(f"  missed in {r.name}: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
