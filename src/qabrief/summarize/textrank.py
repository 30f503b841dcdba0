"""Graph centrality (TextRank/LexRank): a sentence is central when it resembles other
central sentences. Also the plain TextRank summarizer used as a baseline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .text import Vectorizer, cosine_matrix, words


def centrality(sim: np.ndarray, damping: float = 0.85, iterations: int = 100, tol: float = 1e-8) -> np.ndarray:
    """PageRank over a weighted similarity graph; sentences linked to nothing get the floor."""
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.ones(1)
    out_weight = sim.sum(axis=1, keepdims=True)
    dangling = out_weight[:, 0] == 0
    transition = np.divide(sim, out_weight, out=np.zeros_like(sim), where=out_weight != 0)
    transition[dangling] = 1.0 / n
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - damping) / n + damping * (transition.T @ scores)
        if np.abs(new - scores).sum() < tol:
            scores = new
            break
        scores = new
    return scores


def plain_textrank(sentences: Sequence[str], k: int) -> list[int]:
    """Baseline: the k most central sentences, in document order; no Q&A knowledge."""
    if not sentences or k <= 0:
        return []
    tokenized = [words(s) for s in sentences]
    vectors = Vectorizer(tokenized).transform(tokenized)
    scores = centrality(cosine_matrix(vectors))
    top = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))[:k]
    return sorted(top)


def lead(sentences: Sequence[str], k: int) -> list[int]:
    """Baseline: the first k sentences."""
    return list(range(min(k, len(sentences))))
