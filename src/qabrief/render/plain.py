"""The last-resort export: when every other renderer fails on a brief, its Chinese (and what
English it has) still reaches the reader, as plain Markdown built from the brief's strings
alone: no tables, figures or links, nothing that a renderer's bug could share."""

from __future__ import annotations

from ..brief import Brief, BriefTurn
from .markdown import _cell


def render_plain(brief: Brief) -> str:
    out = [f"# {_cell(brief.title_zh) or '(untitled transcript)'}", ""]
    if brief.notice:
        out += [f"> {_cell(brief.notice)}", ""]
    out += ["_Written in plain form: the full renderer failed on this brief (the batch log says why)._", ""]
    for turn in brief.opening:
        out += _turn(turn)
    for seg in brief.segments:
        out += [f"## {seg.number}", ""]
        for turn in ([seg.question] if seg.question else []) + seg.answers:
            out += _turn(turn)
    return "\n".join(out) + "\n"


def _turn(turn: BriefTurn) -> list[str]:
    lines = [f"**{_cell(turn.speaker.label) if turn.speaker else '—'}**", ""]
    for s in turn.summary or turn.sentences:
        lines.append(f"- {_cell(s.zh)}" + (f"  \n  {_cell(s.en)}" if s.en else ""))
    return lines + [""]
