"""Official English over the Foreign Ministry's 2018–2019 conferences (issue 23).

    python benchmarks/official_english.py [--every N] [--no-memory] [--memory-speed] [--scale 10]

0. The hand links (tests/data/official_links, tests/data/alignment): how many of the links
   shown as official are right, and what share of the links they cover: all of them, the
   Foreign Ministry's alone, and each half of `official_gold.halves()` (the choosing half
   and the held-apart one, issue 33).
1. Two documents per conference (the Chinese page and the English page, as published):
   the share of answer sentences shown with official English and, where the two pages
   have as many paragraphs (paragraph i renders paragraph i), the share of those whose
   English comes from the paragraph paired with the sentence's own.
2. The memory: the 2018 conferences imported (their confident links), the 2019 ones
   briefed in Chinese only; of the sentences the memory gives English, how many are right:
   the stored rendering, or one within chrF 70 of it, is in the paired 2019 paragraph.
3. `--memory-speed`: the Chinese stage of a full-text brief of the seed (parse, summarize,
   figures and the memory lookup of every sentence) without a memory, with the 2018–2019
   corpus imported, and with ten times that (synthetic variants of its sentences), each
   timed three times; the lookups' added seconds are set against a whole full-text brief
   of the seed translated by the random-weight opus-mt-zh-en architecture on CTranslate2
   int8 (the default fast path; built and converted here, as translate_throughput does).
Parts 1 and 2 run no model: official and memory English need none.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "bilingual" / "mfa-2018-2019.jsonl"
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"


def conferences(every: int = 1) -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return sorted(rows, key=lambda c: c["date"])[::every]


def documents(conference: dict) -> tuple[str, str]:
    zh, en = conference["zh"], conference["en"]
    return "\n".join([zh["title"], *zh["paras"]]), "\n".join([en["title"], *en["paras"]])


def paragraph_of(text: str, offset: int) -> int:
    """The index in `paras` of the paragraph holding `offset` (line 0 is the title)."""
    return text.count("\n", 0, offset) - 1


def two_documents(confs: list[dict]) -> dict:
    from qabrief import parse
    from qabrief.brief import all_turns, chinese_brief

    answers = shown = paired_total = paired_right = 0
    start = time.perf_counter()
    for conference in confs:
        zh_text, en_text = documents(conference)
        transcript = parse(zh_text)
        brief = chinese_brief(transcript, english=en_text)
        equal = len(conference["zh"]["paras"]) == len(conference["en"]["paras"])
        for turn, parsed in zip(all_turns(brief), transcript.turns):
            for sentence, source in zip(turn.sentences, parsed.sentences):
                linked = bool(sentence.official and sentence.official.get("shown"))
                if parsed.role == "official":
                    answers += 1
                    shown += linked
                if linked and equal and sentence.official["en"]:
                    paired_total += 1
                    paragraph = conference["en"]["paras"][paragraph_of(transcript.text, source.start)]
                    parts = re.split(r"(?<=[.?!])\s+", sentence.official["en"])
                    paired_right += all(part in paragraph for part in parts)
    return {"conferences": len(confs), "answer sentences": answers, "shown official": shown,
            "share shown": shown / max(1, answers), "links in equal-count conferences": paired_total,
            "from the paired paragraph": paired_right / max(1, paired_total), "seconds": time.perf_counter() - start}


def memory_effect(confs: list[dict], folder: Path) -> dict:
    from sacrebleu.metrics import CHRF

    from qabrief import parse
    from qabrief.brief import all_turns, chinese_brief
    from qabrief.memory_import import confident_pairs
    from qabrief.official import TranslationMemory

    memory = TranslationMemory(folder / "memory.sqlite3")
    for conference in (c for c in confs if c["date"].startswith("2018")):
        zh_text, en_text = documents(conference)
        memory.add(confident_pairs(chinese_brief(zh_text, english=en_text)), f"fmprc {conference['date']}")
    chrf = CHRF()
    served = right = 0
    for conference in (c for c in confs if c["date"].startswith("2019")):
        if len(conference["zh"]["paras"]) != len(conference["en"]["paras"]):
            continue  # no paired paragraph to check against
        zh_text, _ = documents(conference)
        transcript = parse(zh_text)
        brief = chinese_brief(transcript, memory=memory)
        for turn, parsed in zip(all_turns(brief), transcript.turns):
            for sentence, source in zip(turn.sentences, parsed.sentences):
                if sentence.en_source != "memory":
                    continue
                served += 1
                paragraph = conference["en"]["paras"][paragraph_of(transcript.text, source.start)]
                right += sentence.en in paragraph or best_span(sentence.en, paragraph, chrf) >= 70
    return {"memory pairs (2018)": memory.stats()["pairs"], "served from memory (2019)": served,
            "right": right, "share right": right / max(1, served)}


def best_span(english: str, paragraph: str, chrf) -> float:
    """chrF of `english` against the paragraph's closest span of words (the rendering may sit
    inside a longer English sentence that also renders its neighbour)."""
    words, n = paragraph.split(), len(english.split())
    spans = {" ".join(words[a:a + k]) for k in range(max(1, int(n * 0.7)), int(n * 1.4) + 2)
             for a in range(0, max(1, len(words) - k + 1))}
    return max((chrf.sentence_score(english, [span]).score for span in spans), default=0.0)


def memory_speed(confs: list[dict], folder: Path, scale: int) -> list[dict]:
    from qabrief.brief import chinese_brief
    from qabrief.memory_import import confident_pairs
    from qabrief.official import TranslationMemory

    pairs = []
    for conference in confs:
        zh_text, en_text = documents(conference)
        pairs += confident_pairs(chinese_brief(zh_text, english=en_text))
    seed = SEED.read_bytes()
    rows = []
    for label, size in (("no memory", 0), ("corpus", 1), (f"corpus x{scale}", scale)):
        memory = None
        if size:
            memory = TranslationMemory(folder / f"memory-{size}.sqlite3")
            memory.add(pairs, "corpus")
            for k in range(1, size):  # variants: another number, another clause
                memory.add([(_variant(zh, k, pairs), en) for zh, en in pairs], f"variant {k}")
        chinese_brief(seed, full_text=True, memory=memory)  # warm: jieba, dictionaries, SQLite pages
        times = []
        for _ in range(3):
            start = time.perf_counter()
            chinese_brief(seed, full_text=True, memory=memory)
            times.append(time.perf_counter() - start)
        rows.append({"memory": label, "pairs": memory.stats()["pairs"] if memory else 0, "seconds": min(times)})
    return rows


def full_text_brief_seconds(folder: Path) -> tuple[float, str]:
    """A whole full-text brief of the seed on the random-weight opus-mt-zh-en architecture (CTranslate2 int8)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from qabrief.brief import make_brief
    from qabrief.translate import load_translator
    from qabrief.translate.ct2 import convert

    from translate_throughput import build_model, output_tokens

    build_model(folder / "opus-architecture")
    convert(folder / "opus-architecture", folder / "opus-architecture-ct2-int8", "int8")
    translator = load_translator(folder / "opus-architecture-ct2-int8", backend="ct2", cache=False, guard=False,
                                 fixed_output_tokens=output_tokens)
    start = time.perf_counter()
    make_brief(SEED.read_bytes(), translator, full_text=True)
    return time.perf_counter() - start, translator.description


def _variant(zh: str, k: int, pairs: list) -> str:
    other = pairs[(hash(zh) + 7919 * k) % len(pairs)][0]
    clause = re.split(r"[，。；？！]", other)[0]
    return re.sub(r"\d", lambda m: str((int(m.group()) + k) % 10), zh).rstrip("。") + f"，{clause}{k}。"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=1, help="every Nth conference only (a quicker look)")
    ap.add_argument("--memory-speed", action="store_true", help="time lookups at the corpus's size and ten times it")
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--only-speed", action="store_true", help="skip parts 0-2")
    ap.add_argument("--no-memory", action="store_true", help="skip part 2 (parts 0 and 1: the two-document figures)")
    args = ap.parse_args()
    if not CORPUS.is_file():
        print(f"needs {CORPUS}", file=sys.stderr)
        return 2
    confs = conferences(args.every)
    sys.path.insert(0, str(ROOT / "tests"))
    from official_gold import halves, scored_links, tally

    with tempfile.TemporaryDirectory() as tmp:
        if not args.only_speed:
            from qabrief.official import CONFIDENT

            scored = scored_links()
            chosen, held = halves()
            ministry = tuple(name for name in scored if name[:1].isdigit() and "_" not in name)
            for name, documents in (("hand links", None), ("  the Foreign Ministry's", ministry),
                                    ("  choosing half", chosen), ("  held-apart half", held)):
                right, shown, total = tally(scored, CONFIDENT, documents)
                print(f"{name}: {right} of {shown} shown as official are right ({right / shown:.1%}), "
                      f"{right} of {total} links shown ({right / total:.1%})", flush=True)
            print(json.dumps({"two documents": two_documents(confs)}, ensure_ascii=False, indent=1), flush=True)
            if not args.no_memory:
                print(json.dumps({"memory": memory_effect(confs, Path(tmp))}, ensure_ascii=False, indent=1),
                      flush=True)
        if args.memory_speed:
            whole, served_by = full_text_brief_seconds(Path(tmp))
            print(f"full-text brief of the seed, no memory: {whole:.1f} s ({served_by})", flush=True)
            rows = memory_speed(confs, Path(tmp), args.scale)
            base = rows[0]["seconds"]
            for row in rows:
                added = row["seconds"] - base
                print(f"{row['memory']:14s} {row['pairs']:8d} pairs  Chinese stage {row['seconds']:6.2f} s  "
                      f"lookups +{added:5.2f} s = {added / whole:6.1%} of the full-text brief", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
