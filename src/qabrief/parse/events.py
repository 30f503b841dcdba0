"""A speaker label found in the text: where it starts, where the words start, and who speaks."""

from __future__ import annotations

from dataclasses import dataclass

from .transcript import Speaker


@dataclass
class Event:
    label_start: int
    content_start: int
    speaker: Speaker | None
    timestamp: str | None = None
