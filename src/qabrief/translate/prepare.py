"""What the model receives: the Simplified form, punctuation as OPUS data writes it.

OPUS training data is overwhelmingly Simplified with full-width Chinese punctuation;
Traditional characters become unknown pieces and erratic output, and half-width commas
between Chinese characters (as in GBK-converted pages like the seed) are rarer. So:
Simplified via OpenCC, full-width ASCII letters/digits folded to half-width, and
half-width , ; : ? ! ( ) next to Chinese characters turned full-width.
"""

from __future__ import annotations

import re

from ..parse.script import HAN, fold_width, to_simplified

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_NEXT_TO_HAN = re.compile(rf"(?<=[{HAN}”’）])\s*([,;:?!])(?!\d)|([,;:?!(])\s*(?=[{HAN}“‘（])")
CLAUSE_BREAKS = "，；：、,;:"
SENTENCE_ENDS = "。！？!?"
CLOSERS = "”’」』）)"


def prepare_source(sentence: str) -> str:
    if not sentence or not sentence.strip():
        return ""
    text = fold_width(to_simplified(sentence.strip()))
    return _NEXT_TO_HAN.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)


def split_to_fit(text: str, count_tokens, limit: int) -> list[str]:
    """Split an over-long text into pieces of ≤ limit tokens, never dropping a character.

    A text that fits stays whole. Otherwise it is first split into its sentences (。！？),
    each translated on its own as the models were trained; a sentence still too long is
    split at clause breaks (，；：、) packed greedily, so pieces are as long as allowed; a
    single clause that is still too long is cut between characters (last resort).
    """
    if count_tokens(text) <= limit:
        return [text]
    pieces: list[str] = []
    for sentence in split_sentences(text):
        if count_tokens(sentence) <= limit:
            pieces.append(sentence)
            continue
        current = ""
        for clause in split_clauses(sentence):
            if current and count_tokens(current + clause) > limit:
                pieces.append(current)
                current = ""
            if count_tokens(clause) > limit:
                pieces.extend(_cut(clause, count_tokens, limit))
                continue
            current += clause
        if current:
            pieces.append(current)
    return pieces


_SENTENCE_BREAK = re.compile(f"(?<=[{re.escape(SENTENCE_ENDS)}])(?![{re.escape(CLOSERS)}])"
                             f"|(?<=[{re.escape(SENTENCE_ENDS)}][{re.escape(CLOSERS)}])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, each keeping its end mark (and a closing quote after it)."""
    return [s for s in re.split(_SENTENCE_BREAK, text) if s]


def halve(text: str) -> list[str] | None:
    """Two non-empty halves of a piece, split at the clause break nearest its middle, else at
    the middle character (not inside a run of Latin letters or digits); None if too short."""
    if len(text) < 2:
        return None
    middle = len(text) / 2
    breaks = [i + 1 for i, ch in enumerate(text[:-1]) if ch in CLAUSE_BREAKS + SENTENCE_ENDS]
    if breaks:
        cut = min(breaks, key=lambda i: abs(i - middle))
    else:
        cut = len(text) // 2
        while 0 < cut < len(text) and text[cut - 1].isascii() and text[cut - 1].isalnum() \
                and text[cut].isascii() and text[cut].isalnum():
            cut += 1
        if cut >= len(text):
            cut = len(text) // 2
    return [text[:cut], text[cut:]]


def split_clauses(text: str) -> list[str]:
    """Clauses of a sentence, each keeping the break that ends it."""
    return [c for c in re.split(f"(?<=[{re.escape(CLAUSE_BREAKS)}])", text) if c]


def _cut(text: str, count_tokens, limit: int) -> list[str]:
    out, start = [], 0
    while start < len(text):
        lo, hi = start + 1, len(text)
        while lo < hi:  # longest prefix that fits
            mid = (lo + hi + 1) // 2
            if count_tokens(text[start:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        out.append(text[start:lo])
        start = lo
    return out


def join_pieces(pieces: list[str]) -> str:
    return " ".join(p.strip() for p in pieces if p.strip())
