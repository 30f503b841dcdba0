"""Hints from the memory of official renderings on a held-apart year (issue 34, part 3).

    python benchmarks/memory_hints.py [--every N]

The memory learns the 2018 conferences of the Foreign Ministry corpus as
`qabrief memory import mfa-2018-2019.jsonl --year 2018` stores them (each conference's
confident links, with its date, English title and address); the 2019 conferences are then
briefed as Chinese only, with no model. For every answer sentence (a turn of the official
who answers): is a hint shown, and is its English the rendering the ministry used?

"The rendering the ministry used" is the English that the two-document brief of the same
conference (its Chinese and English pages) links to that sentence and shows as official — a
one-to-one or one-to-two link; a sentence of a two-to-one link is left out of precision, as
its English renders its neighbour too. A hint is right
- strictly when its English has the same words (lower case, punctuation aside:
  `memory.same_words`);
- loosely when its chrF against that English (sacrebleu, sentence level) is at least 70, the
  bar `benchmarks/official_english.py` uses for the memory's English.

The threshold (difflib ratio of the normalised Chinese) is chosen on January–June 2019: the
lowest of 0.50, 0.55 … 1.00 at which at least half of the checked hints are loosely right
(RULE). July–December 2019 is held apart: its figures are those of the real lookup at the
shipped HINT_SIMILARITY; its table at every threshold is printed for reference only.
The candidates for the table come from one lookup at FLOOR (the best stored sentence at or
above it), so a row at threshold t counts the sentences whose best candidate is at t or above.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "bilingual" / "mfa-2018-2019.jsonl"
FLOOR = 0.5
THRESHOLDS = [round(0.5 + 0.05 * k, 2) for k in range(11)]
LOOSE_CHRF = 70
RULE = 0.5  # the share of checked hints loosely right that the chosen threshold keeps on the tuning half
TUNING = ("2019-01", "2019-06")  # months (inclusive); the rest of 2019 is held apart


def conferences(every: int = 1) -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(rows, key=lambda c: c["date"])[::every]


def documents(conference: dict) -> tuple[str, str]:
    zh, en = conference["zh"], conference["en"]
    return "\n".join([zh["title"], *zh["paras"]]), "\n".join([en["title"], *en["paras"]])


def learn_2018(path: Path, every: int):
    """The 2018 conferences into a memory, one batch per conference, as `memory import --year 2018` does."""
    from qabrief.memory_import import read_bilingual_conferences
    from qabrief.official import TranslationMemory

    memory = TranslationMemory(path)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as part:
        for conference in conferences(every):
            if conference["date"].startswith("2018"):
                part.write(json.dumps(conference, ensure_ascii=False) + "\n")
    try:
        for date, pairs in read_bilingual_conferences(Path(part.name), "2018"):
            memory.add(pairs, f"{CORPUS.name} {date}")
    finally:
        Path(part.name).unlink()
    return memory


def sentences_2019(every: int, memory_path: Path) -> list[dict]:
    """Each 2019 answer sentence: its conference's date, the official English linked to it (None
    when unlinked or in a 2-1 link), the best candidate at FLOOR, and the hint of the real brief
    at the shipped threshold, with the seconds its lookups took."""
    from sacrebleu.metrics import CHRF

    from qabrief import parse
    from qabrief.brief import all_turns, chinese_brief
    from qabrief.official import TranslationMemory
    from qabrief.official.memory import same_words

    chrf = CHRF()
    floor, shipped = TranslationMemory(memory_path, hint_similarity=FLOOR), TranslationMemory(memory_path)
    rows, seconds, lookups = [], 0.0, 0
    for conference in conferences(every):
        if not conference["date"].startswith("2019"):
            continue
        zh_text, en_text = documents(conference)
        transcript = parse(zh_text)
        linked = chinese_brief(transcript, english=en_text)  # the reference: the ministry's own English
        start = time.perf_counter()
        chinese = chinese_brief(transcript, memory=shipped)  # the brief a reader gets: Chinese only, no model
        seconds += time.perf_counter() - start
        for ref_turn, turn, parsed in zip(all_turns(linked), all_turns(chinese), transcript.turns):
            if parsed.role != "official":
                continue
            for i, (ref, sentence) in enumerate(zip(ref_turn.sentences, turn.sentences)):
                lookups += 1
                official = ref.official if ref.official and ref.official.get("shown") else None
                later = ref_turn.sentences[i + 1].official if i + 1 < len(ref_turn.sentences) else None
                in_two_to_one = bool(official and (official.get("with") is not None
                                                   or (later and later.get("with") is not None)))
                english = official["en"] if official and not in_two_to_one else None
                best = floor.lookup(sentence.zh)
                row = {"date": conference["date"], "zh": sentence.zh, "official": english,
                       "served": sentence.en_source == "memory", "hint": sentence.hint}
                if best and not (best.exact and best.confirmed):
                    row["best"] = {"similarity": best.similarity, "exact": best.exact, "en": best.en}
                for found in (row.get("best"), sentence.hint):
                    if found and english:
                        found["strict"] = same_words(found["en"], english)
                        found["chrf"] = chrf.sentence_score(found["en"], [english]).score
                rows.append(row)
    print(f"{lookups:,} answer sentences briefed with the memory at {shipped.hint_similarity}: "
          f"{seconds:.1f} s for their Chinese briefs", file=sys.stderr)
    return rows


def lookup_speed(memory_path: Path, texts: list[str], thresholds: tuple[float, ...]) -> dict[float, float]:
    """Milliseconds per lookup of `texts` in the memory at each threshold (the faster of two passes)."""
    from qabrief.official import TranslationMemory

    out = {}
    for threshold in thresholds:
        memory, times = TranslationMemory(memory_path, hint_similarity=threshold), []
        for _ in range(2):
            start = time.perf_counter()
            for text in texts:
                memory.lookup(text)
            times.append(time.perf_counter() - start)
        out[threshold] = 1000 * min(times) / max(1, len(texts))
    return out


def figures(hints: list[dict], sentences: int) -> dict:
    checked = [h for h in hints if "strict" in h]
    return {"answer sentences": sentences, "hints": len(hints), "share with a hint": len(hints) / max(1, sentences),
            "exact but unconfirmed": sum(h["similarity"] >= 1 for h in hints), "checked": len(checked),
            "strict": sum(h["strict"] for h in checked), "loose": sum(h["chrf"] >= LOOSE_CHRF for h in checked),
            "strict share": sum(h["strict"] for h in checked) / max(1, len(checked)),
            "loose share": sum(h["chrf"] >= LOOSE_CHRF for h in checked) / max(1, len(checked))}


def table(rows: list[dict]) -> list[dict]:
    out = []
    for threshold in THRESHOLDS:
        hints = [r["best"] for r in rows if "best" in r and r["best"]["similarity"] >= threshold]
        out.append({"threshold": threshold, **figures(hints, len(rows))})
    return out


def choose(rows: list[dict]) -> float:
    """RULE: the lowest threshold at which at least half of the checked hints are loosely right."""
    for row in rows:
        if row["checked"] and row["loose share"] >= RULE:
            return row["threshold"]
    return 1.0


def show(title: str, rows: list[dict]) -> None:
    print(f"\n{title}\n| threshold | hints | share of answer sentences | checked | strict "
          f"| loose (chrF ≥ {LOOSE_CHRF}) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['threshold']:.2f} | {r['hints']:,} | {r['share with a hint']:.1%} | {r['checked']:,} | "
              f"{r['strict share']:.1%} | {r['loose share']:.1%} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=1, help="every Nth conference only (a quicker look)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if not CORPUS.is_file():
        print(f"needs {CORPUS}", file=sys.stderr)
        return 2
    from qabrief.official import HINT_SIMILARITY

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        memory = learn_2018(Path(tmp) / "memory.sqlite3", args.every)
        stats = memory.stats()
        print(f"memory of 2018: {stats['pairs']:,} renderings from {stats['documents']} conferences "
              f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        rows = sentences_2019(args.every, memory.path)
        speed = lookup_speed(memory.path, [r["zh"] for r in rows], tuple(sorted({0.8, HINT_SIMILARITY})))
    tuning = [r for r in rows if TUNING[0] <= r["date"][:7] <= TUNING[1]]
    held = [r for r in rows if not TUNING[0] <= r["date"][:7] <= TUNING[1]]
    tuned = table(tuning)
    chosen = choose(tuned)
    show(f"Tuning half, {TUNING[0]} to {TUNING[1]} ({len(tuning):,} answer sentences): the best candidate at each "
         "threshold", tuned)
    print(f"\nchosen by the rule (the lowest threshold with ≥ {RULE:.0%} loosely right): {chosen}; "
          f"shipped HINT_SIMILARITY: {HINT_SIMILARITY}")
    show(f"Held-apart half ({len(held):,} answer sentences), for reference only", table(held))
    result = {"held apart": figures([r["hint"] for r in held if r["hint"]], len(held)),
              "tuning": figures([r["hint"] for r in tuning if r["hint"]], len(tuning)),
              "served from memory": {"tuning": sum(r["served"] for r in tuning),
                                     "held apart": sum(r["served"] for r in held)},
              "chosen": chosen, "shipped": HINT_SIMILARITY}
    print(f"\nat the shipped threshold {HINT_SIMILARITY}, through the brief:")
    for name in ("tuning", "held apart"):
        f = result[name]
        print(f"  {name}: hints for {f['hints']:,} of {f['answer sentences']:,} answer sentences "
              f"({f['share with a hint']:.1%}; {f['exact but unconfirmed']} of them the same sentence unconfirmed); "
              f"of the {f['checked']:,} with a linked official English, strictly right {f['strict']} "
              f"({f['strict share']:.1%}), loosely right {f['loose']} ({f['loose share']:.1%})")
    print(f"  served as memory English (confirmed exact): {result['served from memory']}")
    result["ms per lookup"] = speed
    print("lookups of the 2019 answer sentences in the 2018 memory: " + ", ".join(
        f"{ms:.2f} ms each at {threshold}" for threshold, ms in speed.items()))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
