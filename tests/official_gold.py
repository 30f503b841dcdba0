"""The hand-written sentence links of tests/data/official_links (issue 23), read against the
corpus they describe: ../shared/corpus/bilingual/mfa-2018-2019.jsonl.

Each file names a conference and, for paragraph pairs of its Chinese and English pages,
the links between their sentences, by index into the sentences qabrief's own splitters
give (`split_sentences` for the Chinese, `split_english` for the English, each paragraph
without its 问/答 or Q/A label). `gold_paragraphs` returns the sentence texts with the links,
so a splitter that changes shows as a failing test rather than silently moving the links.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus import BILINGUAL

LINKS = Path(__file__).parent / "data" / "official_links"
OLD_GOLD = Path(__file__).parent / "data" / "alignment"  # the 41 links of other publishers' bilingual pages
_ZH_LABEL = re.compile(r"^\s*(?:问|答|(?:记者)?(?:追问|又问)[一二三]?|记者)\s*[：:]\s*")
_EN_LABEL = re.compile(r"^\s*(?:Q|A|Follow-up(?: question)?|Journalist|Reporter)\s*[：:]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class GoldParagraph:
    conference: str
    zh_paras: tuple[int, ...]
    en_paras: tuple[int, ...]
    zh: list[str]  # sentences
    en: list[str]
    links: list[tuple[tuple[int, ...], tuple[int, ...]]]


@lru_cache(maxsize=1)
def conferences() -> dict[str, dict]:
    return {c["date"]: c for c in map(json.loads, BILINGUAL.read_text(encoding="utf-8").splitlines())}


def zh_sentences(paragraph: str) -> list[str]:
    from qabrief.parse.sentences import split_sentences

    return [s.text for s in split_sentences(_ZH_LABEL.sub("", paragraph).strip())]


def en_sentences(paragraph: str) -> list[str]:
    from qabrief.official import split_english

    return split_english(_EN_LABEL.sub("", paragraph).strip())


def _indices(value) -> tuple[int, ...]:
    return () if value is None else (tuple(value) if isinstance(value, list) else (value,))


def gold_paragraphs() -> list[GoldParagraph]:
    out = []
    for path in sorted(LINKS.glob("mfa-*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        conference = conferences()[gold["conference"]]
        for para in gold["paragraphs"]:
            zh_paras, en_paras = _indices(para["zh"]), _indices(para["en"])
            zh = [s for i in zh_paras for s in zh_sentences(conference["zh"]["paras"][i])]
            en = [s for j in en_paras for s in en_sentences(conference["en"]["paras"][j])]
            links = [(tuple(link["zh"]), tuple(link["en"])) for link in para["links"]]
            assert sorted(i for z, _ in links for i in z) == list(range(len(zh))), (path.name, zh_paras)
            assert sorted(j for _, e in links for j in e) == list(range(len(en))), (path.name, en_paras)
            out.append(GoldParagraph(gold["conference"], zh_paras, en_paras, zh, en, links))
    return out


def gold_links() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(conference, Chinese sentences, English sentences) of every link with both sides."""
    return [(p.conference, tuple(p.zh[i] for i in z), tuple(p.en[j] for j in e))
            for p in gold_paragraphs() for z, e in p.links if z and e]


def gold_turns(path):
    turns = []
    for turn in json.loads(path.read_text(encoding="utf-8"))["turns"]:
        zh, en, links = [], [], []
        for link in turn["links"]:
            links.append((tuple(range(len(zh), len(zh) + len(link["zh"]))),
                          tuple(range(len(en), len(en) + len(link["en"])))))
            zh += link["zh"]
            en += link["en"]
        turns.append((zh, en, links))
    return turns


def shown_links_against_the_hand_links() -> tuple[int, int, int]:
    """(shown links that are right, shown links, hand links): the Foreign Ministry's through
    the whole two-document pipeline, the other publishers' bilingual pages through the aligner."""
    from qabrief import parse
    from qabrief.fidelity import Glossary
    from qabrief.official import CONFIDENT, align, length_ratio, links_for, read_english

    right = shown = total = 0
    by_conference = {}
    for p in gold_paragraphs():
        by_conference.setdefault(p.conference, []).append(p)
    glossary = Glossary.load()
    for date, paragraphs in sorted(by_conference.items()):
        c = conferences()[date]
        zh, en = "\n".join([c["zh"]["title"], *c["zh"]["paras"]]), "\n".join([c["en"]["title"], *c["en"]["paras"]])
        transcript = parse(zh)
        official = links_for(transcript.text, transcript.turns, read_english(en), glossary)
        flat = [(t, k) for t, turn in enumerate(transcript.turns) for k in range(len(turn.sentences))]
        texts = [transcript.turns[t].sentences[k].text for t, k in flat]
        position = {x: n for n, x in enumerate(flat)}
        predicted = {tuple(position[(lk.turn, k)] for k in lk.sentences): lk.english
                     for lk in official.links if lk.confidence >= CONFIDENT}
        gold, annotated = {}, set()
        for p in paragraphs:
            if not p.zh:
                continue
            (start,) = [k for k in range(len(texts)) if texts[k:k + len(p.zh)] == p.zh]
            annotated |= set(range(start, start + len(p.zh)))
            gold.update({tuple(start + i for i in z): " ".join(p.en[j] for j in e) for z, e in p.links if z and e})
        ours = [k for k in predicted if set(k) & annotated]
        shown += len(ours)
        right += sum(gold.get(k) == predicted[k] for k in ours)
        total += len(gold)
    for path in sorted(OLD_GOLD.glob("*.json")):
        turns = gold_turns(path)
        ratio = length_ratio([(zh, en) for zh, en, _ in turns])
        for zh, en, links in turns:
            ours = [(lk.zh, lk.en) for lk in align(zh, en, glossary, ratio)
                    if lk.zh and lk.en and lk.confidence >= CONFIDENT]
            shown += len(ours)
            right += sum(link in links for link in ours)
            total += sum(1 for z, e in links if z and e)
    return right, shown, total
