"""The Q&A-aware extractive summarizer.

Scores mix graph centrality within the turn with relevance to the question (cosine of
TF-IDF vectors) and what reporters report, then a greedy MMR pass picks sentences under
three rules: courtesy and hand-over sentences are never eligible, no enumerated point gets
a second sentence while another point is still uncovered, and a sentence that opens by
pointing back (这些…) is discounted unless what it points back to is already chosen.
A point is headed by its marker sentence (一是…), or, when the point states figures, by the
sentence stating the most of them. Everything is deterministic (ties go to the earlier
sentence) and returned in source order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..parse.script import to_simplified
from .cues import enumerated_points, enumeration_number, is_courtesy, is_interrogative, overviews
from .limits import summarized_prefix
from .text import Vectorizer, cosine_matrix, words
from .textrank import centrality

MAX_DEFAULT_SENTENCES = 6
# Weights of what reporters report, tuned on the tune half of benchmarks/summary_vs_news.py.
FIGURE_BONUS = 0.2  # per quantity in the sentence (years not counted), at most two
LEAD_WEIGHT = 0.1  # the first sentence of an answer gets all of it, the last none
ANAPHORA_PENALTY = 0.3  # a sentence opening with 这/此/這 (“This shows…”) without what it refers to
STANCE_BONUS = 0.2  # a hope, demand, warning or emphasis (希望…, 当务之急, 我要再次强调, 终将)
OVERVIEW_BONUS = 0.2  # the sentence that announces an enumeration (主要从…四个方向, 这里有几组数据：)
_ANAPHORA = re.compile(r"^[“\"]?(?:这|這|此|这些|這些|这样|這樣|这也|這也|这就|這就|其)")
# "这里有几组数据：…" points forward to what follows, not back
_POINTS_FORWARD = re.compile(r"^[“\"]?(?:这里|這里|這裡)有[^。]*[:：]")
_STANCE = re.compile(r"希望|敦促|奉劝|呼吁|当务之急|强调|重申|坚决反对|决不|绝不|不容|必将|终将|必遭|注定")
# a reporter's words glued into an answer ("某某记者：第一个问题…"): not the official's substance
_REPORTER = re.compile(r"记者[:：]|^第[一二三四五六七八九十]个问题")
_COUNT_IN_WORDS = re.compile(r"^[一二两兩三四五六七八九十]+$")
# "新型信息消费、实体经济、民生服务三大领域": a count in words that counts the items just named
_COUNTED = re.compile(r"(?P<n>[一二两三四五六七八九十]+)(?:大|个|项|类|种|方面|条|点)")
_CLAUSE_END = re.compile(r"[，,。；;：:！？!?]")


@dataclass(frozen=True)
class Budget:
    """How much to keep: a sentence count, a ratio of the sentences, or a character count.

    With nothing set, the count grows with the square root of the length (1 sentence of
    1, 2 of 4, 4 of 15, 6 of 27 or more), so long answers are cut hardest.
    """

    sentences: int | None = None
    ratio: float | None = None
    chars: int | None = None

    def __post_init__(self):
        if sum(x is not None for x in (self.sentences, self.ratio, self.chars)) > 1:
            raise ValueError("give at most one of sentences, ratio and chars")
        if self.sentences is not None and self.sentences < 0:
            raise ValueError("sentences must be >= 0")
        if self.ratio is not None and not 0 < self.ratio <= 1:
            raise ValueError("ratio must be in (0, 1]")
        if self.chars is not None and self.chars <= 0:
            raise ValueError("chars must be > 0")

    def count(self, n: int) -> int:
        """Sentences to keep out of n (a character budget is applied while picking)."""
        if n == 0:
            return 0
        if self.sentences is not None:
            return min(n, self.sentences)
        if self.ratio is not None:
            return min(n, max(1, round(n * self.ratio)))
        if self.chars is not None:
            return n
        return min(n, MAX_DEFAULT_SENTENCES, math.ceil(math.sqrt(n)))


@dataclass(frozen=True)
class Pick:
    """A chosen sentence: its index in the input list and its score (higher is better)."""

    index: int
    score: float


class QASummarizer:
    """Callable: summarizer(sentences, budget, question=None, kind="answer") -> [Pick].

    `kind="question"` keeps the sentences that ask (ending in ？ or built on 如何, 什么,
    是否, 吗 …) before any context; `kind="answer"` ranks by centrality and relevance to
    `question`. `vectorizer` lets a caller share document-wide IDF weights.
    """

    def __init__(self, relevance_weight: float = 0.4, diversity: float = 0.3, marker_bonus: float = 0.25,
                 coverage_bonus: float = 0.15, figure_bonus: float = FIGURE_BONUS, lead_weight: float = LEAD_WEIGHT,
                 anaphora_penalty: float = ANAPHORA_PENALTY, stance_bonus: float = STANCE_BONUS,
                 overview_bonus: float = OVERVIEW_BONUS):
        self.relevance_weight = relevance_weight
        self.coverage_bonus = coverage_bonus
        self.diversity = diversity
        self.marker_bonus = marker_bonus
        self.figure_bonus = figure_bonus
        self.lead_weight = lead_weight
        self.anaphora_penalty = anaphora_penalty
        self.stance_bonus = stance_bonus
        self.overview_bonus = overview_bonus

    def __call__(
        self,
        sentences: Sequence[str],
        budget: Budget | None = None,
        question: Sequence[str] = (),
        kind: str = "answer",
        vectorizer: Vectorizer | None = None,
    ) -> list[Pick]:
        budget = budget or Budget()
        # a huge turn is summarized over its beginning (limits.py): the similarity graph is n²
        sentences = list(sentences[:summarized_prefix(sentences)])
        question = list(question[:summarized_prefix(question)])
        n = len(sentences)
        if n == 0:
            return []
        tokenize = vectorizer.words if vectorizer is not None else words
        tokenized = [tokenize(s) for s in sentences]
        vec = vectorizer or Vectorizer(tokenized + [words(q) for q in question])
        asked = [w for s in question for w in tokenize(s)] if question and kind == "answer" else None
        vectors, q = vec.transform_local(tokenized, asked)
        sim = cosine_matrix(vectors)
        score = _normalise(centrality(sim))
        if q is not None:
            score = (1 - self.relevance_weight) * score + self.relevance_weight * _normalise(vectors @ q)
        eligible = [not is_courtesy(s) and bool(s.strip()) for s in sentences]
        if kind == "question":
            asks = [eligible[i] and is_interrogative(s) for i, s in enumerate(sentences)]
            score = score + np.array([2.0 if a else 0.0 for a in asks])
            # budget default for a question: every sentence that asks, plus context if allowed
            k = budget.count(n) if _explicit(budget) else max(sum(asks), Budget().count(n))
        points = enumerated_points(list(sentences)) if kind == "answer" else [None] * n
        if kind != "question":  # an answer
            k = budget.count(n)
            announces = overviews(list(sentences))
            figures = [_figures(s, a) for s, a in zip(sentences, announces)]
            markers = np.array([self.marker_bonus if h else 0.0 for h in _point_heads(sentences, points, figures)])
            # a question inside an answer is rhetorical ("怎么认识工业互联网？"), not substance
            rhetorical = np.array([0.3 if is_interrogative(s) or _REPORTER.search(to_simplified(s)) else 0.0
                                   for s in sentences])
            score = score + markers - rhetorical + self._reportable(sentences, figures, announces)
        antecedents = [_antecedents(sentences, i) if kind == "answer" and _is_anaphoric(s) else None
                       for i, s in enumerate(sentences)]
        chosen = self._select(score, sim, eligible, points, antecedents, k, budget.chars, [len(s) for s in sentences])
        return [Pick(i, round(float(score[i]), 6)) for i in sorted(chosen)]

    def _reportable(self, sentences: Sequence[str], figures: Sequence[int], announces: Sequence[bool]) -> np.ndarray:
        """What reporters report (measured against news reports, benchmarks/summary_vs_news.py):
        concrete figures (at most two count), what comes early in an answer, stances (hopes,
        demands, warnings) and the sentence that announces an enumeration."""
        n = len(sentences)
        counted = np.array([min(2, f) for f in figures])
        lead = np.array([1 - i / max(1, n - 1) for i in range(n)]) if n > 1 else np.ones(1)
        stance = np.array([1.0 if _STANCE.search(to_simplified(s)) else 0.0 for s in sentences])
        overview = np.array([1.0 if a else 0.0 for a in announces])
        return (self.figure_bonus * counted + self.lead_weight * lead + self.stance_bonus * stance
                + self.overview_bonus * overview)

    def _select(self, score, sim, eligible, points, antecedents, k, char_budget, lengths) -> list[int]:
        """Greedy MMR, each step one pass of array operations over the candidates (linear
        in the sentences, not in the sentences times those chosen)."""
        n = len(score)
        score = np.asarray(score, dtype=np.float64)
        ids = {p: j for j, p in enumerate(sorted({p for p in points if p is not None}))}
        point = np.array([ids[p] if p is not None else -1 for p in points], dtype=np.int64)
        has_point = point >= 0
        candidate = np.array(eligible, dtype=bool)
        lengths = np.array(lengths, dtype=np.int64)
        # a point with no eligible sentence can never be covered, so it never holds the others back
        # (one slot more than there are points: index -1, no point, is never covered nor coverable)
        coverable = np.zeros(len(ids) + 1, dtype=bool)
        coverable[point[has_point & candidate]] = True
        covered = np.zeros(len(ids) + 1, dtype=bool)
        redundancy = np.zeros(n)
        penalty = np.array([self.anaphora_penalty if a is not None else 0.0 for a in antecedents])
        resolves: dict[int, list[int]] = {}  # j → the anaphoric sentences that j, once chosen, explains
        for i, a in enumerate(antecedents):
            for j in a or ():
                resolves.setdefault(j, []).append(i)
        chosen: list[int] = []
        used_chars = 0
        while len(chosen) < k:
            uncovered_left = bool((coverable & ~covered).any())
            in_covered = covered[point]
            ok = candidate.copy()
            if uncovered_left:
                ok &= ~in_covered  # cover every point once before a second sentence from any
            if char_budget is not None:
                ok &= used_chars + lengths <= char_budget
            if not ok.any():
                break
            value = (1 - self.diversity) * score - self.diversity * redundancy - penalty
            value = value + self.coverage_bonus * (has_point & ~in_covered)
            value = np.where(ok, value, -np.inf)
            best = int(np.flatnonzero(value >= value.max() - 1e-12)[0])  # ties: the earlier sentence
            chosen.append(best)
            candidate[best] = False
            used_chars += int(lengths[best])
            redundancy = np.maximum(redundancy, sim[:, best])
            if point[best] >= 0:
                covered[point[best]] = True
            for i in resolves.get(best, ()):
                penalty[i] = 0.0
        return chosen


def _is_figure(q) -> bool:
    """A quantity worth reporting: not a year, whether written 2012年 or bare (2025首届, (2012-2020))."""
    bare_year = q.kind == "number" and q.text.isdigit() and len(q.text) == 4 and 1900 <= q.value <= 2100
    return q.kind != "year" and not bare_year


def _figures(sentence: str, announces: bool) -> int:
    """How many figures a sentence states. In a sentence that announces an enumeration, a
    count written in words (“三个突破”, 四个方向) is the size of the list, which the overview
    weight already rewards, not a figure."""
    from ..quantities import chinese_quantities

    sizes = _list_sizes(to_simplified(sentence))
    count = 0
    for q in chinese_quantities(sentence):
        in_words = bool(_COUNT_IN_WORDS.match(q.text))
        if in_words and to_simplified(q.text) in sizes:
            sizes.remove(to_simplified(q.text))  # the size of the list just named
            continue
        count += _is_figure(q) and not (announces and in_words)
    return count


def _list_sizes(simplified: str) -> list[str]:
    """Counts in words that equal the number of 、-separated items right before them in
    their clause (“A、B、C三大领域”, “A、B、C等三个方面”), so they only count the list."""
    from ..quantities import cn_numeral

    out = []
    for m in _COUNTED.finditer(simplified):
        clause = _CLAUSE_END.split(simplified[:m.start()])[-1]
        items = clause.removesuffix("等").split("、")
        if len(items) >= 2 and len(items[-1]) <= 16 and cn_numeral(m.group("n")) == len(items):
            out.append(m.group("n"))
    return out


def _point_heads(sentences: Sequence[str], points: Sequence, figures: Sequence[int]) -> list[bool]:
    """The sentence that stands for its enumerated point: the one stating the most figures
    (the earliest on a tie) when any of the point's sentences states one (reporters quote
    “单体能量密度提高2.2倍”, not the heading “一是技术突破”), else the marker sentence
    (一是…, 首先…), outside any point too."""
    heads = [bool(enumeration_number(s)) for s in sentences]
    groups: dict = {}
    for i, p in enumerate(points):
        if p is not None:
            groups.setdefault(p, []).append(i)
    for members in groups.values():
        best = max(members, key=lambda i: (figures[i], -i))
        if figures[best]:
            for i in members:
                heads[i] = i == best
    return heads


def _is_anaphoric(sentence: str) -> bool:
    s = sentence.strip()
    return bool(_ANAPHORA.match(s)) and not _POINTS_FORWARD.match(s)


def _antecedents(sentences: Sequence[str], i: int) -> set[int]:
    """What sentence i points back to: the one before it, or, when that one closes a list of
    clauses split at semicolons, every clause of the list and the sentence that leads into it."""
    if i == 0:
        return set()
    j = i - 1
    found = {j}
    while j > 0 and sentences[j - 1].rstrip().endswith(("；", ";")):
        j -= 1
        found.add(j)
    if j < i - 1 and j > 0:
        found.add(j - 1)
    return found


def _explicit(budget: Budget) -> bool:
    return any(x is not None for x in (budget.sentences, budget.ratio, budget.chars))


def _normalise(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if x.size else 0.0
    return x / top if top > 0 else np.zeros_like(x)
