"""Bilingual pages: the English each turn carries, and the official English a brief shows (issue 34).

    python benchmarks/bilingual_pages.py [--markdown]

For every bilingual transcript of ../shared/corpus/transcripts/ annotated in
tests/data/bilingual_layouts/ (each turn's speaker, and the first words of its Chinese and of
the English that renders it), one row: the annotated turns, those whose page prints English
for them, those whose parsed turn carries that English (first words right, speaker right),
parsed turns carrying English no annotated turn owns, English words counted as a turn's
Chinese, and the answer sentences (turns of officials) a brief with no model shows with
official English, and how many of those the hand links of tests/data/alignment confirm (and
how many answer sentences the page prints English for at all: the stored pages are beginnings,
cut off mid-turn). No model runs: official English needs none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

COLUMNS = ("document", "turns", "with English", "English attached right", "stray English", "English as Chinese",
           "answer sentences", "printed in English", "shown official", "shown right")


def rows() -> list[tuple]:
    from bilingual_gold import answer_sentences, names, page, score
    from qabrief import parse

    out = []
    for name in names():
        transcript = parse(page(name))
        result = score(name, transcript)
        answers = answer_sentences(name, transcript)
        out.append((name, len(result.checks), result.with_english, result.attached_right, len(result.stray),
                    len(result.english_as_chinese), answers.sentences, answers.printed, answers.shown,
                    answers.shown_right))
    return out


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    markdown = args.parse_args().markdown
    table = rows()
    totals = ("all", *(sum(r[k] for r in table) for k in range(1, len(COLUMNS))))
    if markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
        for r in [*table, totals]:
            print("| " + " | ".join(str(x) for x in r) + " |")
    else:
        print(f"{'document':48s} " + " ".join(f"{c[:10]:>10s}" for c in COLUMNS[1:]))
        for r in [*table, totals]:
            print(f"{r[0][:48]:48s} " + " ".join(f"{x:>10d}" for x in r[1:]))
    attached, english = totals[3], totals[2]
    answers, printed, shown, right = totals[6:10]
    print(f"\nEnglish attached right: {attached}/{english} turns ({attached / max(1, english):.0%}); "
          f"answer sentences shown with official English: {shown}/{answers} ({shown / max(1, answers):.0%}), "
          f"{right} of them right; {printed} have English on the page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
