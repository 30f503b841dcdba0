"""Repair what mirror sites insert into Chinese text: a character's reading or its
Simplified form in parentheses right after it — 發(fā), 網(wǎng), 們(men), 發(发).

Pinyin is accepted only when it is a reading of the character before it (pypinyin,
heteronyms included, tone marks or not), and a bracketed character only when it is
that character's Simplified form, so ordinary parentheses — 世界贸易组织(WTO), 人民币(元)
— are never touched. A gloss whose opening bracket the mirror mangled into "?" (日?qǐng)?bào)記者)
is dropped when its syllable carries a tone mark, which no "?" of prose is followed by.
The repaired text is what every later offset indexes: it is the
text the user sees in the brief.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .script import HAN, to_simplified

_ARTEFACT = re.compile(rf"([{HAN}])\s?[(（]\s?([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{{1,7}}|[{HAN}])\s?[)）]")


_BROKEN = re.compile(rf"(?<=[{HAN}])(?:\?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{{0,6}}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]"
                     rf"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{{0,6}}\))+")


def _toneless(syllable: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", syllable.lower()) if not unicodedata.combining(c))
    return plain.replace("ü", "v").replace("u\u0308", "v")


@lru_cache(maxsize=8192)
def _readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return frozenset(r.replace("ü", "v") for group in readings for r in group)


def _is_artefact(char: str, inside: str) -> bool:
    if len(inside) == 1 and re.match(f"[{HAN}]", inside):
        return inside != char and to_simplified(char) == inside
    return _toneless(inside) in _readings(char)


def repair_mirror_artefacts(text: str) -> tuple[str, int]:
    """(text without the artefacts, how many were removed)."""
    count = 0

    def fix(m: re.Match) -> str:
        nonlocal count
        if _is_artefact(m.group(1), m.group(2)):
            count += 1
            return m.group(1)
        return m.group(0)

    if "?" in text:
        text, broken = _BROKEN.subn("", text)
        count += broken
    if "(" not in text and "（" not in text:
        return text, count
    return _ARTEFACT.sub(fix, text), count
