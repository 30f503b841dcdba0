"""Summaries against what reporters reported: qabrief, lead-k and plain TextRank.

    python benchmarks/summary_vs_news.py [--sentences N]

The reference is tests/data/news_reference/ (benchmarks/news_reference.py: per answer turn,
the transcript sentences news reports quoted or paraphrased). For each method at the same
length per answer turn (qabrief's default unless --sentences), over the answer turns that
reporters reported:
- reported-sentence recall: reported sentences picked / reported sentences;
- figure recall: quantities of the reported sentences (the fidelity extractor) present in
  the picked sentences / those quantities;
- character ROUGE-L F1 of the picked sentences against the matched report sentences
  (Simplified, punctuation and spaces removed);
- courtesy sentences chosen, enumerated points covered (over every answer turn).
Documents are split in two halves: TUNE (used while changing the summarizer) and HELD_OUT
(reported, never tuned on). The seed's conference (00) is in the tune half.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "benchmarks")]
REFERENCE = ROOT / "tests" / "data" / "news_reference"
TUNE = {"00", "03", "05", "07", "09", "11"}
HELD_OUT = {"02", "04", "06", "08", "10", "12", "13"}
METHODS = ("qabrief", "lead-k", "textrank")


def _key(text: str) -> str:
    from qabrief.parse.script import to_simplified

    return re.sub(r"[\W_]+", "", to_simplified(text))


def rouge_l(candidate: str, reference: str) -> float:
    a, b = _key(candidate), _key(reference)
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[-1]))
        previous = current
    lcs = previous[-1]
    p, r = lcs / len(a), lcs / len(b)
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(folder: str, budget) -> dict[str, dict[str, float]]:
    from news_reference import REPORTS, SEED, stored_body

    from qabrief import parse
    from qabrief.fidelity import chinese_quantities
    from qabrief.summarize import lead, plain_textrank, summarize_transcript
    from qabrief.summarize.cues import enumerated_points, is_courtesy

    reference = json.loads((REFERENCE / f"{folder}.json").read_text(encoding="utf-8"))
    path = REPORTS / folder
    transcript = parse(SEED) if folder.startswith("00_") else parse(stored_body(path / "transcript.txt"))
    reported = {(t["segment"], t["answer"]): t for t in reference["turns"]}
    totals = {m: dict.fromkeys(("reported", "picked_reported", "figures", "picked_figures", "rouge", "turns",
                                "courtesy", "points"), 0.0) for m in METHODS}
    for n, (seg, summ) in enumerate(zip(transcript.segments, summarize_transcript(transcript, budget))):
        for ans in summ.answers:
            texts = [s.text for s in seg.answer[ans.turn].sentences]
            k = len(ans.picks)
            picks = {"qabrief": ans.indices, "lead-k": lead(texts, k), "textrank": plain_textrank(texts, k)}
            points = enumerated_points(texts)
            ref = reported.get((n, ans.turn))
            for m, idx in picks.items():
                t = totals[m]
                t["courtesy"] += sum(is_courtesy(texts[i]) for i in idx)
                t["points"] += len({points[i] for i in idx if points[i]})
                if not ref:
                    continue
                wanted = set(ref["reported"])
                t["reported"] += len(wanted)
                t["picked_reported"] += len(wanted & set(idx))
                picked_quantities = [q for i in idx for q in chinese_quantities(texts[i])]
                for i in wanted:
                    for q in chinese_quantities(texts[i]):
                        t["figures"] += 1
                        t["picked_figures"] += any(q.matches(p) for p in picked_quantities)
                report_text = "".join(dict.fromkeys(x["report"] for x in ref["matches"]))
                t["rouge"] += rouge_l("".join(texts[i] for i in idx), report_text)
                t["turns"] += 1
    return totals


def half_totals(ids: set[str], budget) -> dict[str, dict[str, float]]:
    """Totals per method over the documents of one half (TUNE or HELD_OUT)."""
    summed = {m: {} for m in METHODS}
    for name in sorted(p.stem for p in REFERENCE.glob("*.json") if p.stem[:2] in ids):
        for m, t in evaluate(name, budget).items():
            for key, v in t.items():
                summed[m][key] = summed[m].get(key, 0.0) + v
    return summed


def rates(t: dict) -> dict[str, float]:
    """Reported-sentence recall, figure recall and mean ROUGE-L of a totals row."""
    return {"recall": t["picked_reported"] / t["reported"] if t.get("reported") else float("nan"),
            "figures": t["picked_figures"] / t["figures"] if t.get("figures") else float("nan"),
            "rouge": t["rouge"] / t["turns"] if t.get("turns") else float("nan")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", type=int, help="sentences per answer turn (default: qabrief's own length)")
    args = ap.parse_args()
    from qabrief.summarize import Budget

    budget = Budget(sentences=args.sentences)
    folders = sorted(p.stem for p in REFERENCE.glob("*.json"))
    halves = {"tune": TUNE, "held-out": HELD_OUT}
    print(f"{'half':9s} {'document':28s} {'method':9s} {'sent.recall':>11s} {'fig.recall':>10s} {'ROUGE-L':>8s} "
          f"{'courtesy':>8s} {'points':>6s}")
    for half, ids in halves.items():
        for name in (f for f in folders if f[:2] in ids):
            for m, t in evaluate(name, budget).items():
                _row(half, name, m, t)
        for m, t in half_totals(ids, budget).items():
            _row(half, "TOTAL", m, t)
    return 0


def _row(half: str, name: str, method: str, t: dict) -> None:
    r = rates(t)
    print(f"{half:9s} {name[:28]:28s} {method:9s} {r['recall']:11.2f} {r['figures']:10.2f} {r['rouge']:8.3f} "
          f"{int(t['courtesy']):8d} {int(t['points']):6d}")


if __name__ == "__main__":
    sys.exit(main())
