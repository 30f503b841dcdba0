"""A reference for summaries from news reports of the same press conferences.

    python benchmarks/news_reference.py        # writes tests/data/news_reference/*.json

For every folder of ../shared/corpus/reports/ (the seed's conference included: its
transcript is the seed), each report sentence is matched to the transcript's answer
sentences it quotes or paraphrases. The matcher, on the Simplified form without
punctuation or spaces:
- score = the share of the report sentence's character bigrams found in the transcript
  sentence (a quote scores near 1, a paraphrase 0.4–0.7);
- numbers are strong anchors: a quantity both share (by value, through the fidelity
  extractor: 103.7万 = 1,037,000) adds 0.25 each; a report quantity the transcript sentence
  lacks takes 0.15 off;
- a match needs a score of at least 0.45 and 6 shared bigrams; a report sentence may match
  up to two transcript sentences (reporters merge), each at least 0.8 × the best score;
- a report sentence also quotes every transcript sentence it contains: at least 70 % of
  that sentence's bigrams and 9 of them shared. Reporters wrap a whole quote in attribution
  (“…發言人洪磊在11月16日的記者會上強調，當前中日關系處于嚴重困難局面…”) or join several
  sentences of a list with semicolons; the score above, a share of the report sentence
  that also loses 0.15 per figure the transcript sentence lacks, misses both.
Result per answer turn: the indices of the sentences reporters reported, with the report
sentence and score of each match, so a person can check them (tests/data/news_reference/README.md
records the hand check).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]
REPORTS = ROOT.parent / "shared" / "corpus" / "reports"
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"
OUT = ROOT / "tests" / "data" / "news_reference"
REJECTED = OUT / "rejected.json"  # matches found wrong by hand (see the README there)
MIN_SCORE, MIN_SHARED = 0.45, 6
MIN_CONTAINED, MIN_CONTAINED_SHARED = 0.7, 9


def stored_body(path: Path) -> str:
    """A stored page without its SOURCE/DATE/TITLE lines (up to the first empty line)."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    return body if sep and head.startswith("SOURCE:") else text


def _key(text: str) -> str:
    from qabrief.parse.script import to_simplified

    return re.sub(r"[\W_]+", "", to_simplified(text))


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)}


def report_sentences(text: str) -> list[str]:
    from qabrief.parse.sentences import split_sentences

    out = []
    for line in text.split("\n"):
        line = line.strip()
        if len(_key(line)) >= 8:
            out += [s.text for s in split_sentences(line, 0, len(line)) if len(_key(s.text)) >= 8]
    return out


def contained(report: str, sentence: str) -> bool:
    """Whether the report sentence contains most of the transcript sentence (a wrapped quote)."""
    r, t = _bigrams(_key(report)), _bigrams(_key(sentence))
    shared = len(r & t)
    return bool(t) and shared >= MIN_CONTAINED_SHARED and shared / len(t) >= MIN_CONTAINED


def score(report: str, sentence: str) -> tuple[float, int]:
    from qabrief.fidelity import chinese_quantities

    r, t = _bigrams(_key(report)), _bigrams(_key(sentence))
    if not r:
        return 0.0, 0
    shared = len(r & t)
    value = shared / len(r)
    rq, tq = chinese_quantities(report), chinese_quantities(sentence)
    both = sum(1 for q in rq if any(q.matches(x) for x in tq))
    value += 0.25 * both - 0.15 * (len(rq) - both)
    return value, shared


def match(transcript, reports: list[str]) -> dict:
    """{(segment, answer turn): {sentence index: [(report sentence, score)]}}."""
    answers = [(n, k, turn) for n, seg in enumerate(transcript.segments) for k, turn in enumerate(seg.answer)]
    found: dict = {}
    for report in reports:
        for sentence in report_sentences(report):
            scored = [(score(sentence, s.text), n, k, i, s.text) for n, k, turn in answers
                      for i, s in enumerate(turn.sentences)]
            good = [(v, n, k, i) for (v, shared), n, k, i, _ in scored if v >= MIN_SCORE and shared >= MIN_SHARED]
            good.sort(key=lambda x: -x[0])
            chosen = {(n, k, i): (v, False) for v, n, k, i in good[:2] if v >= 0.8 * good[0][0]}
            for (v, _), n, k, i, text in scored:
                if (n, k, i) not in chosen and contained(sentence, text):
                    chosen[(n, k, i)] = (v, True)  # matched because the report contains it, whatever the score
            for (n, k, i), (v, by_containment) in chosen.items():
                found.setdefault((n, k), {}).setdefault(i, []).append((sentence, round(v, 3), by_containment))
    return found


def build(folder: Path) -> dict:
    from qabrief import parse

    transcript = parse(SEED) if folder.name.startswith("00_") else parse(stored_body(folder / "transcript.txt"))
    reports = [stored_body(p) for p in sorted(folder.glob("report*.txt"))]
    found = match(transcript, reports)
    rejected = {(r["sentence"], r["report"]) for r in json.loads(REJECTED.read_text(encoding="utf-8"))
                if r["folder"] == folder.name}
    for (n, k), hits in found.items():  # the matches the hand check found wrong are dropped
        texts = transcript.segments[n].answer[k].sentences
        for i in list(hits):
            hits[i] = [hit for hit in hits[i] if (texts[i].text, hit[0]) not in rejected]
            if not hits[i]:
                del hits[i]
    found = {turn: hits for turn, hits in found.items() if hits}
    turns = []
    for (n, k), sentences in sorted(found.items()):
        turn = transcript.segments[n].answer[k]
        turns.append({"segment": n, "answer": k, "speaker": turn.speaker.label if turn.speaker else "",
                      "reported": sorted(sentences),
                      "matches": [{"index": i, "sentence": turn.sentences[i].text, "report": r, "score": v,
                                   **({"contained": True} if by_containment else {})}
                                  for i, hits in sorted(sentences.items()) for r, v, by_containment in hits]})
    return {"folder": folder.name, "reports": len(reports), "segments": len(transcript.segments), "turns": turns}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for folder in sorted(p for p in REPORTS.iterdir() if p.is_dir()):
        data = build(folder)
        (OUT / f"{folder.name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
        matches = sum(len(t["matches"]) for t in data["turns"])
        print(f"{folder.name:30s} {data['segments']:2d} Q&As, {len(data['turns'])} answer turns reported, "
              f"{matches} matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
