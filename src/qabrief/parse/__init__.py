"""The parse stage: a transcript as the user gives it → `Transcript` (speaker turns, Q&A segments).

    from qabrief.parse import parse
    transcript = parse(Path("transcript.txt"))   # or text, or bytes

- `reading`: bytes, path or text → plain text (encodings, HTML pages, size limits)
- `script`: Han characters, Simplified/Traditional detection and conversion
- `speakers`: is this a speaker label, and who (reporter, official, host)?
- `sentences`: Chinese sentence splitting with offsets into the text
- `header`: title, date and source; `lines`: the body's lines and their kinds
- `families`: one module per label layout, and the list that runs them
- `parser`: labels into turns and segments — `parse()`, the one entry point
- `transcript`: the dataclasses every later stage reads
"""

from .parser import parse
from .transcript import Segment, Sentence, Speaker, Transcript, Turn

__all__ = ["Segment", "Sentence", "Speaker", "Transcript", "Turn", "parse"]
