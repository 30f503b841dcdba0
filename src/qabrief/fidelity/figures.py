"""Key figures: every quantity an answer states, with what it counts, for a reader who scans a
briefing for its numbers first.

The quantities are the fidelity extractor's own (`chinese_quantities`), so the panel and
the number checks never disagree. "What it counts" is read off the sentence: the measure
word or unit right after the number (个, 辆, 公里, 万辆) and the nearest noun before it
(jieba's part-of-speech tags), e.g. 累计建成5G基站达到103.7万个 → 103.7万 个, counting 基站.
A heuristic: where the sentence gives no noun, it stays empty rather than guessed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..quantities import chinese_quantities, english_quantities

# what may follow a number as its unit or measure word
_UNIT = re.compile(r"^\s*(多|余|左右)?\s*(亿|万|千|百)?\s*(公里|千米|平方公里|公顷|亩|吨|千瓦时|千瓦|瓦|公斤|"
                   r"美元|欧元|人民币|元|块|个|辆|部|台|家|项|条|座|所|人次|人|名|位|户|次|架|艘|件|种|批|本|套|"
                   r"倍|年|月|日|天|小时|分钟|岁|周|期|届|代|亿元|万元|GW|MW|kW|km|%|％)?")


@dataclass
class Figure:
    text: str  # as the Chinese writes it: 103.7万
    value: str  # normalised: 1,037,000
    kind: str  # number, percent, times, points, year, month, months, date, ordinal
    unit: str  # measure word or unit after it: 个, 公里, 辆
    counts: str  # the noun it counts, when the sentence names one: 基站
    zh: str  # the sentence
    index: int  # the sentence's position in its turn
    en: str | None = None  # the sentence's English, when translated
    lost: bool = False  # the English does not carry this quantity


def figures_of(sentences: list[tuple[int, str, str | None]]) -> list[Figure]:
    """Figures of (index, Chinese, English or None) sentences, in order."""
    out: list[Figure] = []
    for index, zh, en in sentences:
        english = english_quantities(en) if en else []
        position = 0
        for q in chinese_quantities(zh):
            at = zh.find(q.text, position)
            at = at if at >= 0 else zh.find(q.text)
            end = at + len(q.text) if at >= 0 else 0
            position = max(position, end)
            unit = _unit(zh[end:]) if at >= 0 else ""
            value = q.describe()
            value = value[value.find("(") + 1:-1] if value.endswith(")") and "(" in value else q.text
            if q.text.isascii() and q.text.isdigit() and len(q.text) <= 4:  # 2012, not "2,012"
                value = q.text
            counts = _counted_after(zh[end + len(unit):]) if unit in _MEASURE_WORDS else ""
            counts = counts or _counted(zh[:max(at, 0)])
            out.append(Figure(q.text, value, q.kind, unit, counts, zh, index, en,
                              lost=bool(en) and not any(q.matches(e) for e in english)))
    return out


_MEASURE_WORDS = set("个個辆輛部台臺家项項条條座所名位户戶次架艘件种種批本套") | {"人次"}


def _unit(after: str) -> str:
    """The unit or measure word after a number, in the text's own script (matched on the Simplified form)."""
    from ..parse.script import to_simplified

    head = after[:12]
    simplified = to_simplified(head)
    m = _UNIT.match(simplified)
    start, end = (m.start(2) if m.group(2) else m.start(3)), m.end()  # "左右", "多": not a unit
    if not (m.group(2) or m.group(3)):
        return ""
    return (head if len(simplified) == len(head) else simplified)[start:end].strip()


@functools.lru_cache(maxsize=1)
def _posseg():
    """jieba's tagger, its start-up log silenced once (setting the level on every call cost a
    third of the key-figures time of an answer made of 10,000 figures)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg


def _counted_after(after: str) -> str:
    """The noun a measure word introduces: 四个方向 → 方向."""
    from ..parse.script import to_simplified

    head = re.split(r"[，,；;：:。！？!?、”“]", after[:12])[0]
    words = list(_posseg().cut(to_simplified(head), HMM=False))[:2]
    for w in words:
        if w.flag.startswith(("n", "vn")) and w.flag != "nr" and len(w.word) >= 2:
            start = to_simplified(head).find(w.word)
            return head[start:start + len(w.word)]
    return ""


@functools.lru_cache(maxsize=64)
def _quantities(zh: str) -> tuple:
    """A sentence's quantities, extracted once for all of its figures."""
    return tuple(chinese_quantities(zh))


@functools.lru_cache(maxsize=64)
def _english(en: str) -> tuple:
    return tuple(english_quantities(en))


def with_english(figure: Figure, en: str | None) -> Figure:
    """Give a figure its sentence's English, and whether that English kept the quantity."""
    figure.en = en
    quantity = next((q for q in _quantities(figure.zh) if q.text == figure.text), None)
    figure.lost = bool(en) and quantity is not None and not any(quantity.matches(e) for e in _english(en))
    return figure


_NOUN_WINDOW = 24


def _counted(before: str) -> str:
    """The nearest noun before the number, within its clause."""
    from ..parse.script import to_simplified

    # the nearest noun is in the last few words: a window keeps a long clause from costing
    # a segmentation of the whole clause per number (quadratic on a run of figures)
    clause = re.split(r"[，,；;：:。！？!?、]", before[-_NOUN_WINDOW:])[-1]
    if not clause.strip():
        return ""
    simplified = to_simplified(clause)
    words = list(_posseg().cut(simplified, HMM=False))
    nouns = [w.word for w in words if w.flag.startswith(("n", "vn")) and w.flag != "nr" and len(w.word) >= 2]
    if not nouns:
        return ""
    # back in the original script (same length after conversion): the last noun's span
    last = nouns[-1]
    start = simplified.rfind(last)
    return clause[start:start + len(last)] if len(simplified) == len(clause) else last
