"""The worst inputs we could construct under the 5 MiB upload limit, each briefed in its own process.

    python benchmarks/worst_cases.py [--cases a,b,...] [--timeout 300] [--cap-gb 4]

What `qabrief batch --model none` does to one file (read, parse, summarize, keywords, key
figures, render Markdown + HTML + JSON), without the memory of official renderings. For each
case it prints the input's size, the wall time of the child process, its peak resident
memory (from wait4), the brief's notice (where a limit cut the work) and `estimate_cost`'s
prediction. A child is run under an address-space cap (`--cap-gb`) and a timeout, so a case
that regresses fails here instead of taking the machine down. The target (issue 32): any
input under the limit gives a brief, or one clear line, within 120 s and 1.5 GB.

Cases (all generated, deterministic):
- random-rare: ~4.6 MB of random sentences of 8-40 characters, 30% of them from CJK
  Extension A, the rest anywhere in the URO block (mostly characters jieba's tagger never saw);
- one-turn-100k: one labelled turn of 100,000 short sentences (clauses of the seed);
- no-punctuation: the seed's Han characters alone, repeated to the limit: no sentence end at all;
- rare-characters: characters jieba's tagger never saw, 30 to a sentence, to the limit;
- many-tags: the 200 characters with the most part-of-speech tags, the tagger's worst;
- 5000-speakers: 2,500 reporters and 2,500 officials, each with a name of its own;
- 10000-numbers: answers made of figures (12.5%, 3,456亿元, 2024年…), 10,000 in the first answer;
- seed-repeated: the seed transcript repeated to the limit (real speech, 1,000+ Q&As).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = next(iter(sorted((ROOT / "seeds").glob("*.txt"))), None)
LIMIT = 5 * 1024 * 1024 - 4096  # just under MAX_INPUT_BYTES


def _fill(parts, limit: int = LIMIT) -> str:
    """Join generated pieces up to `limit` bytes of UTF-8."""
    out, size = [], 0
    for p in parts:
        b = len(p.encode())
        if size + b > limit:
            break
        out.append(p)
        size += b
    return "".join(out)


def _seed_clauses() -> list[str]:
    import re

    from qabrief.parse.script import to_simplified

    text = to_simplified(SEED.read_text(encoding="utf-8"))
    # no colons: a clause must not read as a speaker label
    return [c for c in re.split(r"[，。！？；：:、\s]+", text) if len(c) >= 4]


def _forever(rng, items):
    while True:
        yield rng.choice(items)


def case_random_rare(rng):
    common = [chr(c) for c in range(0x4E00, 0x9FA5)]
    rare = [chr(c) for c in range(0x3400, 0x4DB5)]

    def sentences():
        while True:
            k = rng.randint(8, 40)
            s = "".join(rng.choice(rare) if rng.random() < 0.3 else rng.choice(common) for _ in range(k))
            yield s + rng.choice("。。。？！；") + ("\n" if rng.random() < 0.05 else "")
    return _fill(sentences(), 4_600_000)


def case_one_turn(rng):
    clauses = [c[:14] for c in _seed_clauses()]
    body = _fill((c + "。" for c in _forever(rng, clauses)), LIMIT - 100)
    body = "。".join(body.split("。")[:100_000]) + "。"
    return "王毅：" + body


def case_no_punctuation(rng):
    from qabrief.parse.script import han_chars

    han = han_chars(SEED.read_text(encoding="utf-8"))
    return _fill(iter(lambda: han, None))


def case_rare_characters(rng):
    from jieba.posseg.char_state_tab import P

    unseen = [chr(c) for c in range(0x4E00, 0x9FD6) if chr(c) not in P]
    return _fill("".join(rng.choice(unseen) for _ in range(30)) + "。" for _ in iter(int, 1))


def case_many_tags(rng):
    from jieba.posseg.char_state_tab import P

    top = sorted(P, key=lambda c: (-len(P[c]), c))[:200]
    return _fill("".join(rng.choice(top) for _ in range(30)) + "。" for _ in iter(int, 1))


SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲建国文辉力斌宇浩凯鹏飞鑫波俊峰晨瑞博雪琳晓"


def case_speakers(rng):
    clauses = _seed_clauses()
    names: set[str] = set()
    while len(names) < 5000:
        names.add(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
    names_ = sorted(names)
    rng.shuffle(names_)
    per_turn = LIMIT * 3 // (2500 * 4) - 40  # a question of a third of the answer: the pair fills its share
    parts = []
    for i in range(2500):
        q = _fill((c + "，" for c in _forever(rng, clauses)), per_turn // 3) + "吗？"
        a = _fill((c + "。" for c in _forever(rng, clauses)), per_turn)
        # half the officials by a bare name (the parser looks for their title in the prose)
        official = names_[2 * i + 1] if i % 2 else "外交部发言人" + names_[2 * i + 1]
        parts.append(f"\n第{i % 90 + 1}新闻社记者{names_[2 * i]}：{q}\n{official}：{a}\n")
    return _fill(parts)


def case_numbers(rng):
    units = ["%", "亿元", "万吨", "个百分点", "倍", "万人", "年", "公里"]

    def figure():
        kind = rng.random()
        if kind < 0.3:
            return f"{rng.randint(1, 99)}.{rng.randint(0, 9)}{rng.choice(units)}"
        if kind < 0.6:
            return f"{rng.randint(1, 9)},{rng.randint(100, 999)}{rng.choice(units)}"
        if kind < 0.8:
            return f"{rng.randint(1990, 2030)}年"
        return f"{rng.choice('一二三四五六七八九')}十{rng.choice('一二三四五六七八九')}万"

    def answer(n):
        return "".join("增长" + "，".join(figure() for _ in range(25)) + "。" for _ in range(n // 25))
    first = "新华社记者：今年的数据如何？\n外交部发言人王伟：" + answer(10_000) + "\n"
    rest = (f"新华社记者：第{i}组数据呢？\n外交部发言人王伟：{answer(500)}\n" for i in range(10**6))
    return _fill(itertools.chain([first], rest))


def case_seed_repeated(rng):
    text = SEED.read_text(encoding="utf-8")
    return _fill(iter(lambda: text + "\n", None))


CASES = {
    "random-rare": case_random_rare,
    "one-turn-100k": case_one_turn,
    "no-punctuation": case_no_punctuation,
    "rare-characters": case_rare_characters,
    "many-tags": case_many_tags,
    "5000-speakers": case_speakers,
    "10000-numbers": case_numbers,
    "seed-repeated": case_seed_repeated,
}


def child(name: str, path: str) -> None:
    """Generate the case's input into `path`, then brief it as `qabrief batch --model none` does."""
    text = CASES[name](random.Random(32))
    Path(path).write_text(text, encoding="utf-8")
    from qabrief.brief import chinese_brief
    from qabrief.errors import QabriefError
    from qabrief.parse import parse
    from qabrief.render import render_html, render_json, render_markdown
    from qabrief.summarize.limits import estimate_cost

    times, t0 = {}, time.perf_counter()
    result = {"bytes": len(text.encode()), "estimate_s": round(estimate_cost(text).seconds, 1)}
    del text
    try:
        transcript = parse(Path(path))
        times["parse"] = time.perf_counter() - t0
        result["sentences"] = sum(len(t.sentences) for t in transcript.turns)
        result["turns"] = len(transcript.turns)
        brief = chinese_brief(transcript)
        times["brief"] = time.perf_counter() - t0 - sum(times.values())
        rendered = [render_markdown(brief), render_html(brief, standalone=True), render_json(brief)]
        times["render"] = time.perf_counter() - t0 - sum(times.values())
        result["output_mb"] = round(sum(len(r.encode()) for r in rendered) / 1e6, 1)
        result["notice"] = (brief.notice or "")[:160]
    except QabriefError as exc:  # a refusal: one line, which is an acceptable outcome
        result["refused"] = str(exc)
    result["stages_s"] = {k: round(v, 1) for k, v in times.items()}
    print(json.dumps(result, ensure_ascii=False))


def run_case(name: str, timeout: float, cap_gb: float) -> dict:
    cap = int(cap_gb * 1024**3)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        t0 = time.perf_counter()
        with open(out, "w") as fh:
            proc = subprocess.Popen([sys.executable, __file__, "--child", name, str(Path(tmp) / "input.txt")],
                                    stdout=fh, stderr=subprocess.PIPE, preexec_fn=limit, text=True)
        status = None
        while status is None:
            pid, st, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = st
                break
            if time.perf_counter() - t0 > timeout:
                os.kill(proc.pid, signal.SIGKILL)
                _, st, usage = os.wait4(proc.pid, 0)
                status = "timeout"
                break
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        proc.returncode = 0  # reaped above
        err = proc.stderr.read()
        lines = out.read_text().strip().splitlines()
    # CPU seconds beside wall seconds: on a shared machine the wall time is the load's, the CPU
    # time the case's own (one core: the brief runs on one thread)
    row = {"case": name, "wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
           "peak_mb": round(usage.ru_maxrss / 1024)}
    if status == "timeout":
        row["result"] = f"killed after {timeout:.0f} s"
    elif status != 0 or not lines:
        row["result"] = f"failed (status {os.waitstatus_to_exitcode(status)}): " + \
            (err.strip().splitlines() or ["?"])[-1][:200]
    else:
        row.update(json.loads(lines[-1]))
        row["result"] = "refused: " + row["refused"] if "refused" in row else "brief"
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--cap-gb", type=float, default=4.0, help="address-space cap of each child")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{'case':16} {'MB in':>6} {'sentences':>9} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} "
          f"{'estimate s':>10}  result")
    for name in args.cases.split(","):
        r = run_case(name, args.timeout, args.cap_gb)
        print(f"{name:16} {r.get('bytes', 0) / 1e6:6.2f} {r.get('sentences', 0):9,} {r['wall_s']:7.1f} "
              f"{r['cpu_s']:6.1f} {r['peak_mb']:8,} {r.get('estimate_s', float('nan')):10}  {r['result']}", flush=True)
        if r.get("stages_s") or r.get("notice"):
            print(f"{'':16} stages {r.get('stages_s')}  notice: {r.get('notice') or '-'}", flush=True)


if __name__ == "__main__":
    main()
