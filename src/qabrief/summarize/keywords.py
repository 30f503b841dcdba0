"""A handful of terms that label a segment.

jieba's TF-IDF keyword extraction (IDF from a large general corpus) restricted to nouns
and names: verbs like 推动/加快 dominate official speech and label nothing. The extraction
is jieba.analyse's, ported in a few lines so that its 42 MB IDF dict is never built.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat

from ..parse.script import to_simplified

_NOUNS = ("n", "nz", "nt", "ns", "nr", "vn", "eng", "nrt")
# Nouns every official answer is full of; as labels they tell segments apart no better than "the".
_GENERIC = frozenset("""
发展 工作 工信 工信部 领域 重点 行业 产业 问题 方面 工业 经济 企业 国家 全国 部门 情况 水平 能力 作用 基础 体系
政策 措施 举措 成效 记者 部长
""".split())


# jieba's KeywordExtractor.STOP_WORDS: English function words its tagger may label "eng"
_STOP_WORDS = frozenset("""
the of is and to in that we for an are by be as on with can if from which you it this then at have all not one
has or
""".split())


@lru_cache(maxsize=1)
def _idf():
    import os

    from .idf import CompactIDF
    from .text import _jieba

    # jieba.analyse's own idf.txt, read without importing jieba.analyse: importing it builds
    # a default extractor whose 350k-word IDF dict costs ~42 MB resident
    return CompactIDF(os.path.join(os.path.dirname(_jieba().__file__), "analyse", "idf.txt"))


def tfidf_terms(text: str, top: int, pos: Sequence[str] = _NOUNS) -> list[str]:
    """jieba.analyse's TF-IDF `extract_tags(text, topK=top, allowPOS=pos)`, term for term
    (tests/test_idf.py checks it): words of those parts of speech, two characters or more,
    by count × IDF (the median IDF for a word the table lacks), ties in order of appearance."""
    import jieba.posseg

    allowed, idf = frozenset(pos), _idf()
    freq: dict[str, float] = {}
    for w in jieba.posseg.cut(text):
        if w.flag in allowed and len(w.word.strip()) >= 2 and w.word.lower() not in _STOP_WORDS:
            freq[w.word] = freq.get(w.word, 0.0) + 1.0
    total = sum(freq.values())
    weight = {w: n * idf.get(w, idf.median) / total for w, n in freq.items()}
    return sorted(weight, key=weight.__getitem__, reverse=True)[:top]


def keywords(sentences: Sequence[str], k: int = 5, budget=None) -> list[str]:
    """Top-k terms of the sentences, spelled as in the source (its script), best first.

    The tagger's work is bounded (limits.py): characters its HMM has never seen are left
    out (each would cost it ~8 ms), and a segment whose estimated cost is over its allowance
    (`budget`, a KeywordBudget shared by the brief; else KEYWORD_COST_PER_SEGMENT) is read
    from an even sample of its sentences."""
    from . import limits

    allowance = budget.allowance() if budget is not None else limits.KEYWORD_COST_PER_SEGMENT
    simplified = [_known_to_tagger(to_simplified(s)) for s in sentences]
    sample, cost = keyword_sample(simplified, allowance)
    if budget is not None:
        budget.spend(cost)
    text = "".join(sample)
    if not text.strip():
        return []
    terms = tfidf_terms(text, k * 3)
    out: list[str] = []
    for w in terms:
        if len(w) < 2 or w in _GENERIC or any(w in o or o in w for o in out):
            continue
        out.append(w)
        if len(out) == k:
            break
    return [_in_source_script(w, sentences, simplified) for w in out]


@lru_cache(maxsize=1)
def _tagger_tables() -> tuple[dict[int, str], dict[str, int]]:
    """(the characters of jieba's Han range its POS HMM never saw → a space, each known
    character → the square of its number of possible tags: its HMM cost bound)."""
    from jieba.posseg.char_state_tab import P as states

    unknown = {c: " " for c in range(0x4E00, 0x9FD6) if chr(c) not in states}
    return unknown, {ch: len(tags) ** 2 for ch, tags in states.items()}


def _known_to_tagger(text: str) -> str:
    return text.translate(_tagger_tables()[0])


def tagging_cost(text: str) -> int:
    """An upper bound of jieba.posseg's HMM work on text (after `_known_to_tagger`): the
    Viterbi step at a character tries its tags against the previous one's, and a·b ≤ (a²+b²)/2."""
    return sum(map(_tagger_tables()[1].get, text, repeat(1)))


def keyword_sample(sentences: Sequence[str], allowance: int) -> tuple[list[str], int]:
    """Every sentence when their tagging cost fits the allowance, else every m-th one (an even
    sample across the segment) cut to fit; returns (sample, its cost)."""
    costs = [tagging_cost(s) for s in sentences]
    total = sum(costs)
    if total <= allowance:
        return list(sentences), total
    step = -(-total // max(1, allowance))
    sample, spent = [], 0
    for i in range(0, len(sentences), step):
        if spent + costs[i] > allowance:
            continue
        sample.append(sentences[i])
        spent += costs[i]
    return sample, spent


def _in_source_script(word: str, sentences: Sequence[str], simplified: Sequence[str] | None = None) -> str:
    """The keyword as the source spells it (e.g. 網絡 rather than 网络 in a Traditional text);
    `simplified`: the sentences' Simplified forms, when the caller has them."""
    for i, s in enumerate(sentences):
        simp = simplified[i] if simplified is not None else to_simplified(s)
        if len(simp) != len(s):
            continue
        at = simp.lower().find(word.lower())
        if at >= 0:
            return s[at : at + len(word)]
    return word
