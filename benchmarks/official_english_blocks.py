"""What keeps answer sentences from official English on the 2018–2019 corpus (issue 34, part 2).

    python benchmarks/official_english_blocks.py [--every N] [--out misses.jsonl] [--before misses.jsonl]

Pairs each conference's two documents as a brief does (no model) and classes every answer
sentence left below CONFIDENT by what the pairing did with it: the paragraph pairing it
sits in (and that pairing's posterior), then the shape and confidence of its sentence link
and of its neighbours'. `--out` keeps the unshown sentences (date, turn, sentence, class);
`--before FILE` (an earlier run's `--out`, e.g. on the tree before a change) prints each of
that run's classes with how many of its sentences show official English now. The shapes
are those of `align` over each pair of paragraphs, so runs of doubtful paragraph pairs
(`documents.windows`) are classed by their single pairs.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from official_english import CORPUS, conferences, documents  # noqa: E402


def unshown(confs: list[dict]) -> tuple[int, int, list[dict]]:
    from qabrief import parse
    from qabrief.fidelity import Glossary
    from qabrief.official import CONFIDENT, align, read_english
    from qabrief.official import documents as paired

    glossary = Glossary.load()
    whole = {"whole": True} if "whole" in inspect.signature(align).parameters else {}
    answers = shown = 0
    out = []
    for c in confs:
        zh_text, en_text = documents(c)
        transcript = parse(zh_text)
        english = read_english(en_text)
        zh = paragraphs = paired.chinese_paragraphs(transcript.text, transcript.turns)
        pairing = paired.pair_documents(transcript.text, transcript.turns, english, glossary)
        linked = {(lk.turn, k): lk for lk in pairing.links for k in lk.sentences}
        bead, shape = {}, {}
        for pl in pairing.paragraph_links:
            for i in pl.zh:
                bead[i] = pl
            if pl.zh and pl.en:
                chinese = [(zh[i].turn, k, s) for i in pl.zh for k, s in zip(zh[i].sentences, zh[i].texts)]
                sentences = [s for j in pl.en for s in english.paragraphs[j].sentences]
                links = align([s for _, _, s in chinese], sentences, glossary, pairing.ratio, **whole)
                for i in pl.zh:
                    shape[i] = [(lk.kind, [chinese[x][:2] for x in lk.zh]) for lk in links]
        listed = {(p.turn, k) for p in paragraphs for k in p.sentences}
        for t, turn in enumerate(transcript.turns):  # sentences no paragraph holds (a rule of asterisks)
            if turn.role == "official":
                for k, s in enumerate(turn.sentences):
                    if (t, k) not in listed:
                        answers += 1
                        out.append({"date": c["date"], "turn": t, "k": k, "zh": s.text, "class": _class(s.text)})
        for pi, p in enumerate(paragraphs):
            if p.role != "official":
                continue
            for k, s in zip(p.sentences, p.texts):
                answers += 1
                lk = linked.get((p.turn, k))
                if lk and lk.confidence >= CONFIDENT:
                    shown += 1
                    continue
                out.append({"date": c["date"], "turn": p.turn, "k": k, "zh": s,
                            "class": _class(s, bead[pi], lk, shape.get(pi), p.turn, k)})
    return answers, shown, out


def _class(s: str, pl=None, lk=None, shape=None, turn=None, k=None) -> str:
    from qabrief.official import CONFIDENT

    if not re.search(r"[\u3400-\u9fffA-Za-z0-9]", s):
        return "a rule of asterisks only the Chinese page has"
    if re.match(r"^[（(][^）)]*[）)]$", s.strip()):
        return "a stage note in brackets only the Chinese page has"
    if not pl.en:
        return "a paragraph paired with no English"
    if pl.confidence < CONFIDENT and lk is not None and lk.confidence == round(pl.confidence, 3):
        return f"paragraphs paired {pl.kind} in doubt"
    pos = next((n for n, (_, zs) in enumerate(shape or []) if [turn, k] in [list(z) for z in zs]), None)
    if pos is None:
        return "other"
    kind = shape[pos][0]
    beside = [shape[x][0] for x in (pos - 1, pos + 1) if 0 <= x < len(shape)]
    if lk is None:
        return "no English (a 1-0 sentence)" if kind.endswith("-0") else "a link across two turns"
    if kind == "2-2":
        return "a 2-2 group (capped)"
    if "0-1" in beside:
        if kind == "1-3" or "1-3" in beside:
            return "beside an English sentence left without Chinese, next to a 1-3"
        return "beside an English sentence left without Chinese (capped)"
    return f"a {kind} link below {CONFIDENT}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=1, help="every Nth conference only (a quicker look)")
    ap.add_argument("--out", type=Path, help="write the unshown answer sentences here (JSON lines)")
    ap.add_argument("--before", type=Path, help="an earlier run's --out: its classes, and how many show now")
    args = ap.parse_args()
    if not CORPUS.is_file():
        print(f"needs {CORPUS}", file=sys.stderr)
        return 2
    answers, shown, missed = unshown(conferences(args.every))
    print(f"answer sentences shown with official English: {shown} of {answers} ({shown / answers:.1%})")
    for name, count in Counter(m["class"] for m in missed).most_common():
        print(f"{count:6d}  {name}")
    if args.out:
        args.out.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in missed), encoding="utf-8")
    if args.before:
        now = {(m["date"], m["turn"], m["k"]) for m in missed}
        before = [json.loads(line) for line in args.before.read_text(encoding="utf-8").splitlines()]
        print("classes of the earlier run: before, shown now")
        for name, count in Counter(m["class"] for m in before).most_common():
            fixed = sum(1 for m in before if m["class"] == name and (m["date"], m["turn"], m["k"]) not in now)
            print(f"{count:6d} {fixed:6d}  {name}")
        was = {(m["date"], m["turn"], m["k"]) for m in before}
        print(f"shown in the earlier run, not now: {len(now - was)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
