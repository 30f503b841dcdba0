"""Official English first: where a publisher printed the English, it should win over machine translation.

- `align`: each turn's Chinese sentences against its official English (`Turn.reference`);
  confident links give those sentences their official rendering;
- `memory`: official renderings remembered from bilingual transcripts (and imported), so
  the same sentence in a later monolingual transcript gets it too, marked "memory";
- `apply_official`: gives brief sentences their official English and memory matches.

Status (issue 14, in progress): `make_brief` does not call `apply_official` yet. On the 41
hand-aligned links the corpus holds (tests/data/alignment) the aligner gets 33 right (80%),
and its confidence does not yet separate right links from wrong ones well enough (19 of 22
right at confidence ≥ 0.95) to print "official" beside a sentence: a wrong official
rendering would put words in the wrong mouth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .align import CONFIDENT, Link, align, length_ratio, split_english
from .memory import HINT_SIMILARITY, Match, TranslationMemory, default_memory_path, memory_enabled, normalise

__all__ = ["CONFIDENT", "ENGLISH_MODES", "HINT_SIMILARITY", "Link", "Match", "TranslationMemory", "align",
           "aligned_pairs", "apply_official", "default_memory", "default_memory_path", "memory_enabled", "normalise",
           "split_english"]

ENGLISH_MODES = ("official", "machine", "both")  # official where available / machine only / side by side


def default_memory() -> TranslationMemory | None:
    """The user's memory, or None when QABRIEF_MEMORY=off."""
    return TranslationMemory() if memory_enabled() else None


@dataclass(frozen=True)
class AlignedPair:
    zh: str
    en: str
    confidence: float
    indices: tuple[int, ...]  # the Chinese sentences of the turn it covers


def aligned_pairs(chinese: list[str], reference: str, glossary=None, ratio: float | None = None,
                  threshold: float = CONFIDENT) -> list[AlignedPair]:
    """Confident (Chinese, official English) pairs of one turn, in order."""
    english = split_english(reference)
    if not chinese or not english:
        return []
    out = []
    for link in align(chinese, english, glossary, ratio):
        if link.zh and link.en and link.confidence >= threshold:
            out.append(AlignedPair("".join(chinese[i] for i in link.zh), " ".join(english[j] for j in link.en),
                                   link.confidence, link.zh))
    return out


def apply_official(turns: Iterable, glossary=None, memory: TranslationMemory | None = None,
                   source: str = "") -> list[tuple[str, str]]:
    """Give brief sentences their official English (`official`, `alignment`) and memory matches
    (`memory`, `hint`); returns the aligned pairs, which the caller may add to the memory."""
    learned: list[tuple[str, str]] = []
    turns = list(turns)
    bilingual = [([s.zh for s in t.sentences], split_english(t.reference)) for t in turns if t.reference]
    ratio = length_ratio(bilingual) if bilingual else None
    for turn in turns:
        if turn.reference:
            for pair in aligned_pairs([s.zh for s in turn.sentences], turn.reference, glossary, ratio):
                for k, i in enumerate(pair.indices):
                    sentence = turn.sentences[i]
                    # a 2-1 link: the English is the first sentence's; the second refers to it
                    sentence.official = pair.en if k == 0 else ""
                    sentence.alignment = pair.confidence
                learned.append((pair.zh, pair.en))
        if memory is None:
            continue
        for sentence in turn.sentences:
            if sentence.official is not None:
                continue
            match = memory.lookup(sentence.zh)
            if match is None:
                continue
            found = {"zh": match.zh, "en": match.en, "source": match.source, "similarity": match.similarity}
            if match.exact:
                sentence.memory = found
            else:
                sentence.hint = found
    if memory is not None and learned:
        memory.add(learned, source or "bilingual transcript")
    return learned
