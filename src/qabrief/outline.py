"""A readable plain-text outline of a parsed transcript (what `qabrief parse` prints)."""

from __future__ import annotations

from .parse.transcript import Speaker, Transcript, Turn


def describe_speaker(speaker: Speaker | None) -> str:
    if speaker is None:
        return "(no speaker label)"
    who = speaker.name or speaker.label
    extra = speaker.outlet or speaker.title
    if extra and extra != who:
        return f"{who} — {extra} [{speaker.role}]"
    return f"{who} [{speaker.role}]"


def _turn_line(turn: Turn, width: int) -> str:
    text = turn.text
    snippet = text if len(text) <= width else text[: width - 1] + "…"
    return f"{describe_speaker(turn.speaker)}: {len(turn.sentences)} sentences\n      {snippet}"


def outline(transcript: Transcript, width: int = 60) -> str:
    lines = [
        f"Title:  {transcript.title or '(none)'}",
        f"Date:   {transcript.date or '(none)'}",
        f"Source: {transcript.source or '(none)'}",
        f"Script: {transcript.script}   Encoding: {transcript.encoding}",
        f"Segments: {len(transcript.questions)} questions",
    ]
    if transcript.opening:
        lines.append("\nOpening")
        lines += [f"  - {_turn_line(t, width)}" for t in transcript.opening]
    n = 0
    for segment in transcript.segments:
        if segment.question:
            n += 1
            lines.append(f"\nQ{n}. {_turn_line(segment.question, width)}")
        else:
            lines.append("\n(text without a question)")
        lines += [f"  A: {_turn_line(t, width)}" for t in segment.answer]
    return "\n".join(lines)
