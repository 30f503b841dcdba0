"""jieba's IDF table in a few megabytes instead of ~70.

jieba.analyse loads its 350,000-word IDF file into a dict of Python strings and floats
(68 MiB of objects, ~42 MB resident) as soon as it is imported, so keywords.py never
imports it and reads the same file here instead. Keyword
extraction only looks up the few hundred words of a segment, so the table lives here as
one sorted string of words, their offsets and their values, searched by bisection:
~7 MB, a few microseconds more per lookup, and the same values (float64) and the same
median as jieba's own loader, so keywords come out the same.
"""

from __future__ import annotations

from array import array


class CompactIDF:
    """Read-only word → IDF mapping with `get(word, default)`, like jieba's dict."""

    def __init__(self, path: str):
        with open(path, "rb") as fh:
            lines = fh.read().decode("utf-8").split("\n")
        # "word freq" lines sort by word, since a space sorts before every character of a
        # word; jieba's file has no duplicate words (had it any, the first would win here,
        # the last in jieba's dict). No dict is built: the point is never to hold one.
        lines.sort()
        self.offsets = array("I", [0])
        self.values = array("d")
        words = []
        for line in lines:
            word, _, freq = line.strip().partition(" ")
            if word and freq:
                words.append(word)
                self.offsets.append(self.offsets[-1] + len(word))
                self.values.append(float(freq))
        del lines
        self.blob = "".join(words)
        self.median = sorted(self.values)[len(self.values) // 2]

    def __len__(self) -> int:
        return len(self.values)

    def _word(self, i: int) -> str:
        return self.blob[self.offsets[i]:self.offsets[i + 1]]

    def get(self, word: str, default: float | None = None) -> float | None:
        lo, hi = 0, len(self.values)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._word(mid) < word:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.values) and self._word(lo) == word:
            return self.values[lo]
        return default
