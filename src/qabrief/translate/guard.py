"""Detect degenerate MT output: loops, empty output, implausible length.

opus-mt models are known to loop ("the the the …", one phrase repeated dozens of times)
and to return nothing for some inputs. These checks are cheap heuristics on the words
of the output and the characters of the source; they never see the model.
"""

from __future__ import annotations

import re

from ..parse.script import han_count

# "willllllll", "theeeeeee", "abababababab": a letter or two looping inside a word.
_STUTTER = re.compile(r"([a-z]{1,3})\1{5,}")

# English words per Chinese character in ordinary translation is about 0.5-0.8; far
# outside this range means something was dropped or invented.
MIN_WORDS_PER_HAN = 0.12
MAX_WORDS_PER_HAN = 3.0


def degeneracy(source: str, output: str) -> str | None:
    """Why `output` looks like a broken translation of `source`, or None."""
    if not source.strip():
        return None
    words = re.findall(r"\w+", output.lower())
    if not words:
        return "empty"
    if _repeats(words) or _STUTTER.search(output.lower()):
        return "repetition"
    n_han = han_count(source)
    if n_han >= 8 and len(words) < n_han * MIN_WORDS_PER_HAN:
        return "too short"
    if len(words) > max(12, n_han * MAX_WORDS_PER_HAN):
        return "too long"
    return None


def _repeats(words: list[str]) -> bool:
    """An n-gram (n = 1..4) repeated back to back at least 3 times (4 for single words)."""
    for n in range(1, 5):
        needed = 4 if n == 1 else 3
        for start in range(0, len(words) - n * needed + 1):
            gram = words[start : start + n]
            if all(words[start + k * n : start + (k + 1) * n] == gram for k in range(1, needed)):
                return True
    return False
