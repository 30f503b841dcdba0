"""A speaker label found in the text: where it starts, where the words start, and who speaks.

Frozen: the label families only return events, and a later pass that changes one (a title
from the prose) makes a new one, so no finder can change what another found.
"""

from __future__ import annotations

from dataclasses import dataclass

from .transcript import Speaker


@dataclass(frozen=True)
class Event:
    label_start: int
    content_start: int
    speaker: Speaker | None
    timestamp: str | None = None
