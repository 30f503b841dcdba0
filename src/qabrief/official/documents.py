"""Two documents, one brief: a Chinese transcript and its official English, published apart.

The Foreign Ministry publishes the Chinese transcript first and the English the same day
or the next, on another page, paragraph by paragraph. Pairing starts there:

1. paragraphs: the Chinese transcript's paragraphs (each turn's sentences, split where its
   source lines break) and the English page's paragraphs (`read_english`: its speaker
   labels Q:/A:/Follow-up: and names read off) are paired by a monotone alignment whose
   beads are 1-1, 1-0, 0-1, 2-1 and 1-2 paragraphs. A bead's cost: its prior, how well the
   lengths agree at this document's own ratio of English to Chinese characters, whether the
   speakers agree (a question's paragraph with `Q:`, an answer's with `A:`), and anchors both
   sides share (quantities, glossary terms, names in pinyin);
2. sentences: within each paired group, `align.align` links the sentences.

A sentence link's confidence is the lower of its own and its paragraph pair's posterior
probability, so a doubtful pairing of paragraphs never shows "official" English.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..parse.script import han_count
from .align import ANCHOR_MISSING, CONFIDENT, Link, _anchors_zh, _length_cost, align, lattice, split_english

PARAGRAPH_PRIORS = {(1, 1): 0.9, (1, 0): 0.02, (0, 1): 0.02, (2, 1): 0.03, (1, 2): 0.03}
ROLE_AGREE = 1.0  # cost removed when a question's paragraph meets Q: (or an answer's A:)
ROLE_CLASH = 4.0  # cost added when a question's paragraph meets A: (or the reverse)
ANCHOR_SHARED = 1.0  # per quantity, term or name found in both paragraphs
QUESTION_LABELS = ("q", "question", "follow-up", "follow-up question", "journalist", "reporter")
ANSWER_LABELS = ("a", "answer")
_LABEL = re.compile(r"^([A-Z][A-Za-z.'’&-]*(?: [A-Za-z.'’&-]+){0,5}|Q|A)\s*[:：]\s*(?=\S)")
_SENTENCE_END = re.compile(r"[.?!][\"”’')]*$")
_WORD = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")  # a sentence with none is furniture: a rule, a row of dots


@dataclass
class EnglishParagraph:
    label: str  # "Q", "A", "Follow-up", "Wang Wenbin", or "" for a paragraph without one
    text: str  # without its label
    sentences: list[str] = field(default_factory=list)

    @property
    def role(self) -> str | None:
        low = self.label.lower()
        return "reporter" if low in QUESTION_LABELS else "official" if low in ANSWER_LABELS else None


@dataclass
class EnglishDocument:
    title: str | None
    paragraphs: list[EnglishParagraph]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


def read_english(source) -> EnglishDocument:
    """An official English transcript (text, bytes, path or HTML page) → its title and paragraphs."""
    from ..parse.reading import read_document

    doc = read_document(source, language="en")
    lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
    title = doc.html_title
    if lines and not title and not _SENTENCE_END.search(lines[0]) and len(lines[0]) <= 160 \
            and not _LABEL.match(lines[0]):
        title = lines[0]
    paragraphs = []
    for line in lines:
        if line == title or not re.search(r"[A-Za-z]{2}", line) or han_count(line) > len(line) // 4:
            continue  # the headline, a rule of asterisks, a line of Chinese
        m = _LABEL.match(line)
        label = m.group(1) if m and len(m.group(1)) <= 40 and not re.search(r"\d", m.group(1)) else ""
        text = line[m.end():] if label else line
        paragraphs.append(EnglishParagraph(label, text, split_english(text)))
    return EnglishDocument(title, paragraphs)


@dataclass(frozen=True)
class ChineseParagraph:
    """The sentences of one source paragraph of a turn: `turn` indexes the caller's turn list."""

    turn: int
    sentences: tuple[int, ...]
    texts: tuple[str, ...]
    role: str | None
    opens_turn: bool


def chinese_paragraphs(text: str, turns: list) -> list[ChineseParagraph]:
    """Each turn's sentences grouped by the source line they start on (parse.Turn objects).

    A sentence with no word in it (a rule of asterisks before the closing notice) is left
    out: the English page drops its rule too (`read_english`), and a Chinese paragraph of
    nothing but one would take a bead of its own or join a neighbour in a doubtful 2-1."""
    out = []
    for t, turn in enumerate(turns):
        group: list[int] = []
        for k, sentence in enumerate(turn.sentences):
            if group and "\n" in text[turn.sentences[k - 1].end:sentence.start]:
                out.append(_paragraph(t, turn, group, not out or out[-1].turn != t))
                group = []
            if _WORD.search(sentence.text):
                group.append(k)
        if group:
            out.append(_paragraph(t, turn, group, not out or out[-1].turn != t))
    return out


def _paragraph(t: int, turn, group: list[int], opens: bool) -> ChineseParagraph:
    return ChineseParagraph(t, tuple(group), tuple(turn.sentences[k].text for k in group), turn.role, opens)


@dataclass(frozen=True)
class SentenceLink:
    """Chinese sentences (turn, indices) ↔ official English, with the link's confidence."""

    turn: int
    sentences: tuple[int, ...]
    english: str
    confidence: float


@dataclass
class Pairing:
    links: list[SentenceLink]
    context: dict[int, list[str]]  # turn → the official English paragraphs paired with it
    labels: dict[int, str]  # turn → the English label of its first paired paragraph ("Q", "A", "Follow-up")
    paragraph_links: list[Link]  # Chinese paragraph indices ↔ English paragraph indices
    ratio: float


def pair_documents(text: str, turns: list, english: EnglishDocument, glossary=None) -> Pairing:
    """Paragraphs, then sentences, of a Chinese transcript's turns and its official English.

    Sentences are aligned within each paired group of paragraphs, except where the pairing
    itself is in doubt: paragraph groups run together up to the next point every likely
    pairing passes through (`windows`), so a paragraph the English splits or merges
    differently (1-1 or 2-1? 1-2 or 1-1 and 0-1?) costs its sentences nothing as long as
    where the run starts and ends is sure."""
    zh = chinese_paragraphs(text, turns)
    en = english.paragraphs
    zh_chars = sum(_chars(p.texts) for p in zh)
    en_chars = sum(len(p.text) for p in en)
    ratio = (en_chars + 100 * 3.3) / (zh_chars + 100) if zh_chars else 3.3
    features = _ParagraphFeatures(zh, en, glossary)
    paragraph_links, through = lattice(features, ratio, PARAGRAPH_PRIORS) if zh and en else ([], [])
    links: list[SentenceLink] = []
    context: dict[int, list[str]] = {}
    labels: dict[int, str] = {}
    for plink in paragraph_links:
        if not plink.zh or not plink.en:
            continue
        group = [zh[i] for i in plink.zh]
        if group[0].opens_turn and en[plink.en[0]].label:
            labels.setdefault(group[0].turn, en[plink.en[0]].label)
        for p in group:
            context.setdefault(p.turn, [])
            context[p.turn] += [en[j].text for j in plink.en if en[j].text not in context[p.turn]]
    for run, cap in windows(paragraph_links, through):
        chinese = [(p.turn, k, s) for lk in run for p in (zh[i] for i in lk.zh) for k, s in zip(p.sentences, p.texts)]
        english = [s for lk in run for j in lk.en for s in en[j].sentences]
        if not chinese or not english:
            continue
        for link in align([s for _, _, s in chinese], english, glossary, ratio, whole=True):
            if not link.zh or not link.en:
                continue
            owners = {chinese[i][0] for i in link.zh}
            if len(owners) > 1:  # a link across two turns is no sentence's translation
                continue
            links.append(SentenceLink(owners.pop(), tuple(chinese[i][1] for i in link.zh),
                                      " ".join(english[j] for j in link.en), round(min(link.confidence, cap), 3)))
    return Pairing(links, context, labels, paragraph_links, ratio)


WINDOW_PARAGRAPHS = 12  # the most Chinese paragraphs a run of doubtful paragraph pairs is aligned as one


def windows(paragraph_links: list[Link], through: list[float]) -> list[tuple[list[Link], float]]:
    """The paragraph links in runs, each with the most confidence its sentence links can have.

    A run ends where the alignment passes with a probability of at least CONFIDENT (`through`:
    `lattice`'s posterior of the point after each link): its sentences are the same whichever
    paragraph beads lie between its two ends, so the run is capped by the probability that
    the alignment passes through both, at least the sum of theirs less one; a run of one link
    by that or its own posterior, whichever is higher. A run of more than WINDOW_PARAGRAPHS
    Chinese paragraphs is left as single links, each capped by its own posterior (the sentence
    alignment's cost grows with the square of its length)."""
    runs: list[list[int]] = [[]]
    for k in range(len(paragraph_links)):
        runs[-1].append(k)
        if through[k] >= CONFIDENT and k < len(paragraph_links) - 1:
            runs.append([])
    out = []
    for run in runs:
        members = [paragraph_links[k] for k in run]
        if sum(len(lk.zh) for lk in members) > WINDOW_PARAGRAPHS:
            out += [([lk], lk.confidence) for lk in members]
            continue
        both = max(0.0, (through[run[0] - 1] if run[0] else 1.0) + through[run[-1]] - 1)
        out.append((members, max(both, members[0].confidence) if len(run) == 1 else both))
    return out


def _chars(texts) -> int:
    from .align import _zh_length

    return sum(_zh_length(t) for t in texts)


class _ParagraphFeatures:
    def __init__(self, zh: list[ChineseParagraph], en: list[EnglishParagraph], glossary):
        self.n, self.m = len(zh), len(en)
        self.zh, self.en = zh, en
        self.zh_len = [_chars(p.texts) for p in zh]
        self.en_len = [len(p.text) for p in en]
        self.en_low = [p.text.lower() for p in en]
        self.anchors = [[a for s in p.texts for a in _anchors_zh(s, glossary)] for p in zh]

    def bead(self, i: int, j: int, di: int, dj: int, ratio: float) -> float:
        cost = -math.log(PARAGRAPH_PRIORS[(di, dj)])
        lz, le = sum(self.zh_len[i - di:i]), sum(self.en_len[j - dj:j])
        if not (di and dj):
            return cost + 0.01 * (lz * ratio + le)
        cost += _length_cost(lz, le, ratio)
        first_zh, first_en = self.zh[i - di], self.en[j - dj]
        if first_zh.opens_turn and first_en.role and first_zh.role in ("reporter", "official"):
            cost += -ROLE_AGREE if first_en.role == first_zh.role else ROLE_CLASH
        joined = " ".join(self.en_low[j - dj:j])
        for anchor in (a for k in range(i - di, i) for a in self.anchors[k]):
            cost += -ANCHOR_SHARED if anchor.found_in(joined) else ANCHOR_MISSING / 3
        return cost
