"""Quantities of an English sentence: digits, number words, million/billion, percent,
percentage points, times (twice, double, 2.2-fold), years, month names and ranges."""

from __future__ import annotations

import re

from .quantity import Found, Quantity

_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
               "hundred": 100, "a hundred": 100, "dozen": 12})
_ORDINALS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split())}
_SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12,
           "tn": 1e12, "hundred million": 1e8}
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_TIMES_WORDS = {"twice": 2, "double": 2, "doubled": 2, "doubling": 2, "triple": 3, "tripled": 3, "threefold": 3,
                "quadruple": 4, "quadrupled": 4, "fourfold": 4}

_NUMWORD = "|".join(sorted(_WORDS, key=len, reverse=True))
_SCALE_RE = r"hundred million|thousand|million|billion|trillion|mn|bn|tn"
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w.])(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|(?:{_NUMWORD})(?:[ -](?:{_NUMWORD}))?)"
    rf"(?P<ord>st|nd|rd|th)?"
    rf"(?:\s*(?P<scale>{_SCALE_RE})\b)?"
    rf"(?P<unit>\s*(?:%|per ?cent\b|percentage points?\b|points?\b|(?:-|\s)?fold\b|times\b))?",
    re.I,
)
_MONTH_RANGE = re.compile(rf"\b(?P<a>{_MONTH_RE})\.?\s*(?:-|–|—|to|through|till|until)\s*(?P<b>{_MONTH_RE})\b", re.I)
_FIRST_MONTHS = re.compile(rf"\bfirst (?P<n>\d+|{_NUMWORD}) months\b", re.I)
_DATE = re.compile(rf"\b(?:(?P<m1>{_MONTH_RE})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?|"
                   rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_RE}))\b", re.I)
_MONTH = re.compile(rf"\b(?P<m>{_MONTH_RE})\b", re.I)
_TIMES = re.compile(r"\b(" + "|".join(_TIMES_WORDS) + r")\b", re.I)
_ORDINAL = re.compile(r"\b(" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")\b", re.I)


def _word_value(text: str) -> float | None:
    text = text.lower().replace("-", " ").strip()
    if re.fullmatch(r"\d+(?:,\d{3})*(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    total = 0
    for part in text.split():
        if part not in _WORDS:
            return None
        total += _WORDS[part]
    return float(total)


def english_quantities(sentence: str) -> list[Quantity]:
    found = Found()
    add, covered = found.add, found.covers
    for m in _MONTH_RANGE.finditer(sentence):
        a, b = _MONTHS[m["a"].lower()], _MONTHS[m["b"].lower()]
        add(m.start(), m.end(), Quantity(m.group(), (a, b), "months"))
    for m in _FIRST_MONTHS.finditer(sentence):
        n = _word_value(m["n"])
        if n:
            add(m.start(), m.end(), Quantity(m.group(), (1, int(n)), "months"))
    for m in _DATE.finditer(sentence):
        if covered(m.start()):
            continue
        month = _MONTHS[(m["m1"] or m["m2"]).lower()]
        day = int(m["d1"] or m["d2"])
        if 1 <= day <= 31:
            add(m.start(), m.end(), Quantity(m.group(), (month, day), "date"))
    for m in _MONTH.finditer(sentence):
        word = m["m"].lower()
        if covered(m.start()) or (word == "may" and not sentence[m.start()].isupper()) or word == "mar":
            continue
        add(m.start(), m.end(), Quantity(m.group(), float(_MONTHS[word]), "month"))
    numbers: list[tuple[int, int, Quantity]] = []
    for m in _QUANTITY.finditer(sentence):
        if covered(m.start()):
            continue
        value = _word_value(m["num"])
        if value is None:
            continue
        if m["scale"]:
            scale = m["scale"].lower()
            if scale == "m" and not m["num"][0].isdigit():
                continue
            value *= _SCALES[scale]
        unit = (m["unit"] or "").strip().lower()
        if m["ord"]:
            kind = "ordinal"
        elif unit.startswith("percentage point") or unit.startswith("point"):
            kind = "points"
        elif unit in ("%",) or unit.startswith("per"):
            kind = "percent"
        elif unit.endswith("fold") or unit == "times":
            kind = "times"
        elif 1800 <= value <= 2200 and value == int(value) and not m["scale"] and m["num"].isdigit():
            kind = "year"
        else:
            kind = "number"
        numbers.append((m.start(), m.end(), Quantity(m.group().strip(), value, kind)))
    for (start, end, q), (nstart, _, nxt) in zip(numbers, numbers[1:] + [(0, 0, None)]):
        # "29.1 and 24.9 percentage points", "53.7 and 73.7 percent": the unit is shared
        if nxt and q.kind == "number" and nxt.kind in ("percent", "points", "times") and \
                re.fullmatch(r"\s*(?:,|and|or|to|-|–)\s*", sentence[end:nstart]):
            q = Quantity(q.text, q.value, nxt.kind)
        add(start, end, q)
    for m in _TIMES.finditer(sentence):
        add(m.start(), m.end(), Quantity(m.group(), float(_TIMES_WORDS[m.group().lower()]), "times"))
    for m in _ORDINAL.finditer(sentence):
        if not covered(m.start()):
            add(m.start(), m.end(), Quantity(m.group(), float(_ORDINALS[m.group().lower()]), "ordinal"))
    return found.quantities
