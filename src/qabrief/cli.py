"""`qabrief` command line: a thin shell over the library; every user error is one line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import QabriefError


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except QabriefError as exc:
        print(f"qabrief: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qabrief: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qabrief", description="Bilingual briefs of Chinese press conferences.")
    sub = parser.add_subparsers(title="commands")

    p = sub.add_parser("parse", help="split a transcript into metadata, speakers and Q&A segments")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print the structure as JSON")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("summarize", help="key sentences of each question and answer")
    p.add_argument("file", type=Path)
    _add_budget_options(p)
    p.add_argument("--json", action="store_true", help="print summaries as JSON (indices into `parse --json`)")
    p.set_defaults(func=_cmd_summarize)
    return parser


def _add_budget_options(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--sentences", type=int, metavar="N", help="sentences per question and per answer")
    group.add_argument("--ratio", type=float, metavar="R", help="share of each turn's sentences (0-1]")
    group.add_argument("--chars", type=int, metavar="C", help="characters per question and per answer")


def _budget(args):
    from .summarize import Budget

    try:
        return Budget(sentences=args.sentences, ratio=args.ratio, chars=args.chars)
    except ValueError as exc:
        raise QabriefError(str(exc)) from None


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _cmd_parse(args) -> int:
    from .outline import outline
    from .parse import parse

    transcript = parse(args.file)
    if args.json:
        _print_json(transcript.to_dict())
    else:
        print(outline(transcript))
    return 0


def _cmd_summarize(args) -> int:
    from .outline import describe_speaker
    from .parse import parse
    from .summarize import summarize_transcript

    budget = _budget(args)
    transcript = parse(args.file)
    summaries = summarize_transcript(transcript, budget)
    if args.json:
        _print_json({"title": transcript.title, "segments": [
            _summary_dict(n, seg, summ) for n, (seg, summ) in enumerate(zip(transcript.segments, summaries), 1)
        ]})
        return 0
    for n, (seg, summ) in enumerate(zip(transcript.segments, summaries), 1):
        print(f"\n== {n}. {' · '.join(summ.keywords)}")
        if summ.question:
            print(f"  Q  {describe_speaker(seg.question.speaker)}")
            for p in summ.question.picks:
                print(f"     [{p.index}] {seg.question.sentences[p.index].text}")
        for ans in summ.answers:
            print(f"  A  {describe_speaker(ans.speaker)}")
            for p in ans.picks:
                print(f"     [{p.index}] {seg.answer[ans.turn].sentences[p.index].text}")
    return 0


def _summary_dict(n, seg, summ) -> dict:
    from dataclasses import asdict

    def picks(turn, summary):
        return [{"index": p.index, "score": p.score, "text": turn.sentences[p.index].text} for p in summary.picks]

    return {
        "index": n,
        "keywords": summ.keywords,
        "question": None if not summ.question else {
            "speaker": asdict(seg.question.speaker), "sentences": picks(seg.question, summ.question)},
        "answers": [{"turn": a.turn, "speaker": asdict(a.speaker) if a.speaker else None,
                     "sentences": picks(seg.answer[a.turn], a)} for a in summ.answers],
    }


if __name__ == "__main__":
    sys.exit(main())
