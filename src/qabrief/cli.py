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
    return parser


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


if __name__ == "__main__":
    sys.exit(main())
