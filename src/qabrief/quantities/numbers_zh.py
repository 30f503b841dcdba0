"""Quantities of a Chinese sentence: Arabic and Chinese numerals, 万/亿 scaling, decimals,
percentages and 百分点, 倍, years, months and dates, ranges like 1-8月.

Only numbers that carry meaning are taken: a Chinese numeral must come with a measure
word (三个突破, 五大, 两种) so that 一是, 一系列, 统一 are not quantities; labels such as
5G or 4K are names, not numbers.
"""

from __future__ import annotations

import re

from ..parse.script import to_simplified
from .quantity import Found, Quantity

_DIGITS = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4}
_SCALE_RE = "|".join(sorted(_SCALE, key=len, reverse=True))
_MEASURE = "个项大家座条种类次名位批部辆台套户所只份起场届轮"

_NUMBER = re.compile(
    rf"(?<![\dA-Za-z.])(?P<num>{_DIGITS})(?:\s*(?P<scale>{_SCALE_RE}))?"
    rf"(?P<unit>\s*(?:%|％|个百分点|百分点|倍|年(?!代)|月份|月(?:底|末|初)?|日|号)?)"
)
_RANGE_MONTHS = re.compile(r"(?P<a>\d{1,2})\s*[-—–~至到]\s*(?P<b>\d{1,2})\s*月")
_DATE = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
_PERCENT_CN = re.compile(r"百分之(?P<n>[零〇一二两三四五六七八九十百点]+)")
_CN_NUMERAL = re.compile(rf"(?<![第一二三四五六七八九十百千万亿])(?P<n>[一二两三四五六七八九十百千]+)(?=[{_MEASURE}])")
_NOT_COUNTS = ("一个", "一项", "一大", "一家", "一种", "一类", "一次", "一批", "一名", "一位", "一条", "一部", "一座",
               "一套", "一份", "一起", "一场", "十大")
# starts only where a number starts: a long run of digits is not tried from every digit
_TECH = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s*(?:G|K|nm|GHz|MHz|M(?![a-z]))(?![a-zA-Z])")


def cn_numeral(text: str) -> float | None:
    """一百二十三 → 123, 十四 → 14, 两 → 2; None for what is not a plain numeral."""
    total, current = 0, 0
    if not text or any(ch not in _CN_DIGIT and ch not in _CN_UNIT for ch in text):
        return None
    for ch in text:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        else:
            total += (current or 1) * _CN_UNIT[ch]
            current = 0
    return float(total + current)


def chinese_quantities(sentence: str) -> list[Quantity]:
    text = to_simplified(sentence)
    masked = _TECH.sub(lambda m: " " * len(m.group()), text)  # 5G, 4K/8K are names
    found = Found()
    add, covered = found.add, found.covers
    for m in _RANGE_MONTHS.finditer(masked):
        a, b = int(m["a"]), int(m["b"])
        if 1 <= a < b <= 12:
            add(m.start(), m.end(), Quantity(sentence[m.start():m.end()], (a, b), "months"))
    for m in _DATE.finditer(masked):
        if not covered(m.start()):
            month, day = int(m["m"]), int(m["d"])
            if 1 <= month <= 12 and 1 <= day <= 31:
                add(m.start(), m.end(), Quantity(sentence[m.start():m.end()], (month, day), "date"))
    # "5折" is a discount (50% off), not the number five
    numbers = [m for m in _NUMBER.finditer(masked) if not covered(m.start()) and
               masked[m.end():m.end() + 1] != "折"]
    for i, m in enumerate(numbers):
        value = float(m["num"].replace(",", "")) * _SCALE.get(m["scale"] or "", 1)
        unit = (m["unit"] or "").strip()
        if not unit and not m["scale"]:
            unit = _shared_unit(masked, m, numbers[i + 1:])  # 29.1和24.9个百分点, 53.7%和73.7%
        kind = _kind(unit, value)
        if kind == "month":
            value = float(int(value))
        add(m.start(), m.end(), Quantity(sentence[m.start():m.end()].strip(), value, kind))
    for m in _PERCENT_CN.finditer(masked):
        n = cn_numeral(m["n"].split("点")[0])
        if n is not None:
            add(m.start(), m.end(), Quantity(sentence[m.start():m.end()], n, "percent"))
    for m in _CN_NUMERAL.finditer(masked):
        word = masked[m.start(): m.end() + 1]
        n = cn_numeral(m["n"])
        if n is None or word in _NOT_COUNTS or n < 2 or covered(m.start()):
            continue
        add(m.start(), m.end(), Quantity(sentence[m.start():m.end()], n, "number"))
    return found.quantities


def _shared_unit(text, m, following) -> str:
    """The unit of the next number in a 和/、/与 list applies to this one as well."""
    if not following:
        return ""
    nxt = following[0]
    between = text[m.end():nxt.start()]
    if re.fullmatch(r"\s*(?:和|与|、|及|或|至|到|-|—|~)\s*", between) and (nxt["unit"] or "").strip():
        unit = nxt["unit"].strip()
        return unit if unit in ("%", "％", "个百分点", "百分点", "倍") else ""
    return ""


def _kind(unit: str, value: float) -> str:
    if unit in ("%", "％"):
        return "percent"
    if unit in ("个百分点", "百分点"):
        return "points"
    if unit == "倍":
        return "times"
    if unit == "年" and 1800 <= value <= 2200 and value == int(value):
        return "year"
    if unit.startswith("月") and 1 <= value <= 12:
        return "month"
    return "number"
