"""Candidate glossary terms from the Foreign Ministry's own English (issue 22).

    python scripts/mine_glossary.py [--corpus ../shared/corpus/bilingual/mfa-2018-2019.jsonl] > candidates.tsv

Over the conferences whose Chinese and English pages have as many paragraphs (paragraph i
renders paragraph i), every Chinese word n-gram (jieba words, 1-4 words, 3-12 characters)
found in paragraphs of at least 4 conferences is paired with the English word n-gram (2-8
words) that its English paragraphs use most consistently:
- consistency: the share of the term's paragraphs whose English has the rendering (≥ 0.8);
- specificity: the share of the rendering's paragraphs whose Chinese has the term (≥ 0.5).
Longer terms and renderings win ties, and a term inside a longer candidate with the same
rendering is dropped. The output lists each candidate with its counts and one example
pair, for a person to check: only hand-checked renderings join data/glossary.tsv.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "bilingual" / "mfa-2018-2019.jsonl"
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:\.\d+)?")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
STOP_EN = {"the", "a", "an", "of", "and", "to", "in", "on", "for", "with", "is", "are", "we", "it", "that", "this",
           "as", "at", "by", "be", "has", "have", "will", "its", "their", "our", "you", "your", "from", "or"}


def paragraphs(corpus: Path):
    for line in corpus.read_text(encoding="utf-8").splitlines():
        conference = json.loads(line)
        zh, en = conference["zh"]["paras"], conference["en"]["paras"]
        if len(zh) == len(en):
            yield from ((conference["date"], z, e) for z, e in zip(zh, en))


def zh_grams(text: str, jieba) -> set[str]:
    words = [w for w in jieba.lcut(text, HMM=False) if w.strip()]
    grams = set()
    for n in range(1, 5):
        for i in range(len(words) - n + 1):
            gram = "".join(words[i:i + n])
            if 3 <= len(gram) <= 12 and _HAN.match(gram):
                grams.add(gram)
    return grams


def en_grams(text: str) -> set[str]:
    words = _EN_WORD.findall(text)
    grams = set()
    for n in range(2, 9):
        for i in range(len(words) - n + 1):
            gram = words[i:i + n]
            if gram[0].lower() in STOP_EN or gram[-1].lower() in STOP_EN:
                continue
            grams.add(" ".join(gram))
    return grams


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--min-conferences", type=int, default=4)
    args = ap.parse_args(argv)
    import jieba

    jieba.setLogLevel(60)
    data = list(paragraphs(args.corpus))
    zh_sets = [zh_grams(z, jieba) for _, z, _ in data]
    en_sets = [en_grams(e) for _, _, e in data]
    conferences = defaultdict(set)
    for (date, _, _), grams in zip(data, zh_sets):
        for g in grams:
            conferences[g].add(date)
    terms = {g for g, dates in conferences.items() if len(dates) >= args.min_conferences}
    en_df = Counter(g for grams in en_sets for g in grams)
    where = defaultdict(list)
    for k, grams in enumerate(zh_sets):
        for g in grams & terms:
            where[g].append(k)
    rows = []
    for term, found in where.items():
        together = Counter(g for k in found for g in en_sets[k] if en_df[g] >= 3)
        best = None
        for rendering, n in together.items():
            consistency, specificity = n / len(found), n / en_df[rendering]
            if consistency >= 0.8 and specificity >= 0.5:
                key = (round(consistency, 1), len(rendering.split()), specificity)
                if best is None or key > best[0]:
                    best = (key, rendering, n)
        if best:
            rows.append((term, best[1], best[2], len(found), en_df[best[1]], len(conferences[term]), found[0]))
    by_rendering = defaultdict(list)
    for row in rows:
        by_rendering[row[1]].append(row)
    kept = []
    for group in by_rendering.values():  # 一带一路 and 一带一路倡议 → one rendering: keep the longer term
        group.sort(key=lambda r: -len(r[0]))
        kept += [r for r in group if not any(r[0] in longer[0] and r[0] != longer[0] for longer in group)]
    kept.sort(key=lambda r: (-r[5], r[0]))
    print("# zh\ten\tparagraphs with both\tparagraphs with zh\tparagraphs with en\tconferences\texample zh\texample en")
    for term, rendering, both, zh_n, en_n, confs, k in kept:
        _, z, e = data[k]
        print(f"{term}\t{rendering}\t{both}\t{zh_n}\t{en_n}\t{confs}\t{z[:120]}\t{e[:160]}")
    print(f"# {len(kept)} candidates from {len(data)} paragraph pairs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
