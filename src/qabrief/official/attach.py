"""Official English into a brief: linked sentences, their confidence, the turn's context, memory.

`attach_official` runs on the Chinese brief, before any model: it links sentences to the
official English (a second document, or the English a bilingual page prints after each
paragraph), gives every sentence with a confident link its official rendering, and offers
each turn's official passage as context; the confident pairs it returns carry the identity
of the documents they came from (`memory.document_identity`: the turns' Chinese sentences,
the English paragraphs or printed references, never the titles), so the memory counts a
document submitted twice as one source. `attach_memory` then gives a sentence with no
official English the memory's confirmed exact rendering, or a hint (a close match, or an
exact one not yet confirmed) shown beside the English, never as it. In the default
mode these sentences already have English, so the model never sees them.

Modes (`ENGLISH_MODES`): `official` shows official English where it exists, machine English
elsewhere; `machine` shows machine English everywhere; `both` shows the machine English
with the official beside it. Every link keeps its confidence in the JSON, shown or not.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from .align import CONFIDENT, align, length_ratio, split_english
from .documents import EnglishDocument, pair_documents
from .memory import Learned, document_identity

ENGLISH_MODES = ("official", "machine", "both")
WITH_PREVIOUS = "rendered with the previous sentence"  # the second Chinese sentence of a 2-1 link


@dataclass(frozen=True)
class OfficialLink:
    turn: int  # index into the brief's turns (`brief.all_turns`)
    sentences: tuple[int, ...]
    english: str
    confidence: float


@dataclass
class OfficialEnglish:
    links: list[OfficialLink]
    context: dict[int, str]  # turn → its official passage (two documents)
    labels: dict[int, str]  # turn → its speaker's English label
    document: tuple[str, str] | None = None  # `document_identity` of the Chinese and English read


def links_for(text: str, turns: list, english: EnglishDocument | None, glossary=None) -> OfficialEnglish:
    """Sentence links, and per turn the official context and English label, for a transcript's
    turns (parse.Turn objects): from the separate English document when there is one, else
    from each turn's printed English."""
    document = document_of(turns, english)
    if english is not None and english.paragraphs:
        pairing = pair_documents(text, turns, english, glossary)
        links = [OfficialLink(lk.turn, lk.sentences, lk.english, lk.confidence) for lk in pairing.links]
        return OfficialEnglish(links, {t: "\n".join(paras) for t, paras in pairing.context.items()}, pairing.labels,
                               document)
    groups = [group for t, turn in enumerate(turns) if turn.reference
              for group in printed_groups(t, turn, t == len(turns) - 1)]
    # the page's own ratio of English to Chinese, from the groups it prints whole: one the page
    # cut off in one language (the stored beginning of a page) would make it look half as long
    whole = [(zh, en) for _, _, zh, en, ended in groups if ended]
    ratio = length_ratio(whole or [(zh, en) for _, _, zh, en, _ in groups]) if groups else None
    links = []
    for t, indices, chinese, english_sentences, _ in groups:
        for link in align(chinese, english_sentences, glossary, ratio):
            if link.zh and link.en:
                links.append(OfficialLink(t, tuple(indices[i] for i in link.zh),
                                          " ".join(english_sentences[j] for j in link.en), link.confidence))
    return OfficialEnglish(links, {}, {t: turn.label_en for t, turn in enumerate(turns) if turn.label_en},
                           document)


_ENDED = re.compile(r"[.?!。？！…][\"”’')）」]*$")


def printed_groups(t: int, turn, last: bool) -> list[tuple[int, list[int], list[str], list[str], bool]]:
    """A bilingual page's turn as the groups its layout pairs, each aligned on its own as the
    two-document path aligns a pair of paragraphs: the Chinese sentences the page prints
    beside a run of English lines (`Turn.reference_spans`) and those lines' English sentences.
    Each group: (turn, indices of its Chinese sentences, their texts, English sentences,
    whether both languages end on a sentence's end). Chinese the page prints no English for
    is in no group. A turn whose English names no Chinese of its own (spans not recorded, or
    its Chinese elsewhere) is one group. In the transcript's last turn, an unfinished last
    English sentence (`…since China's accession to the World Trade Orga`) is where the page
    was cut off: it renders no Chinese sentence whole, so it is left out."""
    paragraphs = turn.reference.split("\n")
    spans = list(turn.reference_spans)
    if len(spans) != len(paragraphs):
        spans = [(turn.start, turn.end)] * len(paragraphs)
    grouped: dict[tuple[int, int], list[str]] = {}
    for paragraph, span in zip(paragraphs, spans):
        grouped.setdefault(span, []).append(paragraph)
    starts = [s.start for s in turn.sentences]  # in text order
    members = {span: list(range(bisect_left(starts, span[0]), bisect_left(starts, span[1]))) for span in grouped}
    if any(not m for m in members.values()):  # English whose Chinese is not this turn's: the turn as one
        grouped = {(turn.start, turn.end): paragraphs}
        members = {(turn.start, turn.end): list(range(len(turn.sentences)))}
    out = []
    for n, (span, english) in enumerate(grouped.items()):
        sentences = split_english("\n".join(english))
        if last and n == len(grouped) - 1 and sentences and not _ENDED.search(sentences[-1]):
            sentences.pop()
        indices = members[span]
        chinese = [turn.sentences[k].text for k in indices]
        ended = bool(chinese and sentences and _ENDED.search(chinese[-1].strip())
                     and _ENDED.search(english[-1].strip()))
        out.append((t, indices, chinese, sentences, ended))
    return out


def document_of(turns: list, english: EnglishDocument | None) -> tuple[str, str]:
    """`memory.document_identity` of a transcript's turns and its official English: the turns'
    Chinese sentences, and the English document's paragraphs (else the English the transcript
    prints after its turns); titles, dates and speaker labels left out."""
    chinese = "".join(s.text for turn in turns for s in turn.sentences)
    if english is not None and english.paragraphs:
        return document_identity(chinese, "".join(p.text for p in english.paragraphs))
    return document_identity(chinese, "".join(turn.reference for turn in turns))


def attach_official(brief_turns: list, official: OfficialEnglish, mode: str, source: str) -> Learned:
    """Set each linked sentence's `official` (and in `official` mode its English), each turn's
    context and English label; returns the confident (Chinese, English) pairs, for the memory,
    with the identity of their documents."""
    learned = Learned(document=official.document)
    for t, text in official.context.items():
        if not brief_turns[t].reference:
            brief_turns[t].reference = text
    for t, label in official.labels.items():
        if brief_turns[t].speaker and not brief_turns[t].speaker.label_en:
            brief_turns[t].speaker.label_en = label
    for link in official.links:
        sentences = [brief_turns[link.turn].sentences[i] for i in link.sentences]
        shown = link.confidence >= CONFIDENT
        for k, sentence in enumerate(sentences):
            sentence.official = {"en": link.english if k == 0 else "", "confidence": link.confidence,
                                 "shown": shown, "source": source,
                                 **({"with": sentences[0].index} if k else {})}
            if shown and mode == "official":
                sentence.en = link.english if k == 0 else ""
                sentence.en_source = "official"
        if shown:
            learned.append(("".join(s.zh for s in sentences), link.english))
    return learned


def attach_memory(brief_turns: list, memory, mode: str) -> int:
    """Confirmed exact memory matches become the English of sentences with none yet (in
    `official` mode); close or unconfirmed ones are hints; returns how many got English."""
    served = 0
    for turn in brief_turns:
        for sentence in turn.sentences:
            if sentence.official and sentence.official.get("shown"):
                continue
            match = memory.lookup(sentence.zh)
            if match is None:
                continue
            found = {"zh": match.zh, "en": match.en, "source": match.source, "added": match.added,
                     "similarity": match.similarity, "date": match.date, "title": match.title, "url": match.url}
            if match.exact and match.confirmed:
                sentence.memory = found
                if mode == "official" and sentence.en is None:
                    sentence.en, sentence.en_source = match.en, "memory"
                    served += 1
            else:
                sentence.hint = found
    return served
