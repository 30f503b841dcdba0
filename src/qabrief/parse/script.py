"""Small facts about Chinese text: which characters are Han, which script, Simplified form.

OpenCC is created lazily and once: the converters load dictionaries (a few ms each) and
are thread-safe for `convert`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN}]")


def han_count(text: str) -> int:
    return len(HAN_RE.findall(text))


def han_chars(text: str) -> str:
    return "".join(HAN_RE.findall(text))


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Simplified Chinese for models trained on it (OPUS is mostly Simplified)."""
    if not text or not HAN_RE.search(text):
        return text
    if len(text) <= 1000:  # a sentence: the summarizer's cues ask for it several times each
        return _simplified_sentence(text)
    return _converter("t2s").convert(text)


@lru_cache(maxsize=8192)  # at most 8,192 × 1,000 characters (MAX_SENTENCE_CHARS): ~30 MB
def _simplified_sentence(text: str) -> str:
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(text) if text else text


def detect_script(text: str) -> str:
    """'traditional' when more characters change under t2s than under s2t, else 'simplified'."""
    sample = han_chars(text)[:20000]
    if not sample:
        return "simplified"
    trad = sum(a != b for a, b in zip(sample, to_simplified(sample)))
    simp = sum(a != b for a, b in zip(sample, to_traditional(sample)))
    return "traditional" if trad > simp else "simplified"


def fold_width(text: str) -> str:
    """Full-width ASCII (ＡＢＣ１２３) to half-width; Chinese punctuation is left alone."""
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" and ch not in "，：；！？（）" else ch
        for ch in text
    )
