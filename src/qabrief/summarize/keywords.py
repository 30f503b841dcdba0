"""A handful of terms that label a segment.

jieba's TF-IDF keyword extraction (IDF from a large general corpus) restricted to nouns
and names: verbs like 推动/加快 dominate official speech and label nothing. The extraction
is jieba.analyse's, ported in a few lines so that its 42 MB IDF dict is never built.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

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


def keywords(sentences: Sequence[str], k: int = 5) -> list[str]:
    """Top-k terms of the sentences, spelled as in the source (its script), best first."""
    text = to_simplified("".join(sentences))
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
    return [_in_source_script(w, sentences) for w in out]


def _in_source_script(word: str, sentences: Sequence[str]) -> str:
    """The keyword as the source spells it (e.g. 網絡 rather than 网络 in a Traditional text)."""
    for s in sentences:
        simp = to_simplified(s)
        if len(simp) != len(s):
            continue
        at = simp.lower().find(word.lower())
        if at >= 0:
            return s[at : at + len(word)]
    return word
