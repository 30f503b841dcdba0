"""Chinese words, stop words and TF-IDF sentence vectors for the summarizers.

Words come from jieba on the Simplified form (one dictionary serves both scripts).
Vectors are L2-normalised TF-IDF rows in a dense numpy matrix: a press conference has
a few hundred sentences and a few thousand distinct words, so dense is simpler and fast.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..parse.script import to_simplified

# Function words and the verbs/adverbs every official answer is made of; they say nothing
# about what a sentence is about.
STOP_WORDS = frozenset("""
的 了 在 是 我 我们 你 你们 他 她 它 他们 这 那 这个 那个 这些 那些 这样 那样 这里 那里 和 与 及 以及 或 或者 而 并 并且
也 都 就 还 又 再 更 很 非常 十分 特别 尤其 比较 最 已经 正在 将 将会 会 要 能 能够 可以 可能 应该 应当 需要 必须 得 地
着 过 把 被 让 使 使得 给 对 对于 关于 从 向 到 于 以 为 为了 因为 所以 因此 但是 但 然而 虽然 如果 由于 通过 根据 按照
之 其 其中 有 没有 不 没 个 些 一 一个 一些 一种 一批 一系列 等 等等 方面 问题 情况 工作 什么 如何 怎么 怎样 哪些 哪
是否 吗 呢 吧 啊 请问 请 谢谢 谢谢你 谢谢您 提问 大家 刚才 目前 当前 现在 今天 同时 另外 此外 其次 首先 最后 一是 二是
三是 四是 五是 六是 第一 第二 第三 第四 第五 一方面 另一方面 进一步 加快 推动 推进 加强 深入 积极 不断 持续 继续
开展 实现 做好 提升 提高 促进 我国 国家 主要 重要 重点 相关 有关 各 各个 各方面 所有 整个 下一步 来看 来说 上 下 中
里 内 后 前 时 时候 以来 之一 所 者 这方面 应该说 确实 就是 也是 还是 还有 包括 比如 例如 像 如 方面 地方 表示 认为
""".split())

_WORD_OK = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=8192)
def words(sentence: str) -> tuple[str, ...]:
    """Content words of a sentence (either script), lower-cased, stop words removed.

    Cached: a sentence is tokenised once per process however many summaries use it."""
    simp = to_simplified(sentence).lower()
    out = []
    for w in _jieba().lcut(simp):
        w = w.strip()
        if not w or w in STOP_WORDS or not _WORD_OK.search(w):
            continue
        if len(w) == 1 and not w.isalnum():
            continue
        if len(w) == 1 and "\u4e00" <= w <= "\u9fff":
            continue  # single characters are mostly particles and measure words
        out.append(w)
    return tuple(out)


class Vectorizer:
    """TF-IDF over a fixed collection of sentences (the document), reusable for queries."""

    def __init__(self, tokenized: Sequence[Sequence[str]]):
        self.tokens: dict[str, tuple[str, ...]] = {}
        df: Counter[str] = Counter()
        for toks in tokenized:
            df.update(set(toks))
        n = max(1, len(tokenized))
        self.vocab = {w: i for i, w in enumerate(sorted(df))}
        self.idf = np.array([math.log((1 + n) / (1 + df[w])) + 1.0 for w in sorted(df)], dtype=np.float64)

    @classmethod
    def of_sentences(cls, sentences: Sequence[str]) -> Vectorizer:
        """The document's vectorizer, remembering each sentence's words for the summaries that
        follow: `words`' own cache holds 8,192 sentences, and a brief of 50,000 would tokenise
        every sentence twice (half the time of a brief of 10,000 figures)."""
        tokens = {s: words(s) for s in sentences}
        vec = cls([tokens[s] for s in sentences])
        vec.tokens = tokens
        return vec

    def words(self, sentence: str) -> tuple[str, ...]:
        got = self.tokens.get(sentence)
        return got if got is not None else words(sentence)

    def transform(self, tokenized: Sequence[Sequence[str]]) -> np.ndarray:
        m = np.zeros((len(tokenized), len(self.vocab)), dtype=np.float64)
        for row, toks in enumerate(tokenized):
            for w, c in Counter(toks).items():
                j = self.vocab.get(w)
                if j is not None:
                    m[row, j] = (1 + math.log(c)) * self.idf[j]
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return m / norms


    def transform_local(self, tokenized: Sequence[Sequence[str]], extra: Sequence[str] | None = None
                        ) -> tuple[np.ndarray, np.ndarray | None]:
        """`transform(tokenized)` and `transform([extra])[0]` as far as their dot products go,
        in memory bounded by the rows, not the document: the columns are only the words that
        two of the rows (or a row and `extra`) share, the norms those of the whole rows.

        `transform` gives each row a column per word of the whole document: a 5 MB upload has
        hundreds of thousands of words, and 1,000 rows of them are gigabytes."""
        rows = [Counter(t) for t in tokenized] + ([Counter(extra)] if extra is not None else [])
        df: Counter[str] = Counter()
        for c in rows:
            df.update(w for w in c if w in self.vocab)
        cols = {w: i for i, w in enumerate(sorted(w for w, d in df.items() if d >= 2))}
        m = np.zeros((len(rows), len(cols)), dtype=np.float64)
        for r, c in enumerate(rows):
            squares = 0.0
            for w, n in c.items():
                j = self.vocab.get(w)
                if j is None:
                    continue
                x = (1 + math.log(n)) * float(self.idf[j])
                squares += x * x
                k = cols.get(w)
                if k is not None:
                    m[r, k] = x
            if squares > 0:
                m[r] /= math.sqrt(squares)
        if extra is None:
            return m, None
        return m[:-1], m[-1]


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    sim = vectors @ vectors.T
    np.fill_diagonal(sim, 0.0)
    return np.clip(sim, 0.0, 1.0)
