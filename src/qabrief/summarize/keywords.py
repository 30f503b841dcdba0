"""A handful of terms that label a segment.

jieba's TF-IDF keyword extractor (IDF from a large general corpus) restricted to nouns
and names: verbs like 推动/加快 dominate official speech and label nothing.
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


@lru_cache(maxsize=1)
def _extractor():
    import jieba.analyse
    import jieba.posseg
    from jieba.analyse.tfidf import DEFAULT_IDF, KeywordExtractor

    from .idf import CompactIDF
    from .text import _jieba

    # jieba's TFIDF() would load its IDF table into a 68 MiB dict: build it around a compact one
    extractor = jieba.analyse.TFIDF.__new__(jieba.analyse.TFIDF)
    extractor.tokenizer = _jieba().dt
    extractor.postokenizer = jieba.posseg.dt
    extractor.stop_words = KeywordExtractor.STOP_WORDS.copy()
    extractor.idf_freq = CompactIDF(DEFAULT_IDF)
    extractor.median_idf = extractor.idf_freq.median
    return extractor


def keywords(sentences: Sequence[str], k: int = 5) -> list[str]:
    """Top-k terms of the sentences, spelled as in the source (its script), best first."""
    text = to_simplified("".join(sentences))
    if not text.strip():
        return []
    terms = _extractor().extract_tags(text, topK=k * 3, allowPOS=_NOUNS)
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
