"""A quantity found in text, normalised so Chinese and English can be compared."""

from __future__ import annotations

import math
from dataclasses import dataclass

# What a quantity measures; a Chinese quantity survives only as an English one of a
# compatible kind with the same value.
COMPATIBLE = {
    "number": {"number", "year", "ordinal"},
    "percent": {"percent"},
    "points": {"points"},
    "times": {"times"},
    "year": {"year", "number"},
    "month": {"month", "months", "date"},
    "date": {"date"},
    "months": {"months"},
    "ordinal": {"ordinal", "number"},
}


@dataclass(frozen=True)
class Quantity:
    """`value` is a float, or (first, last) for a range of months, or (month, day) for a date."""

    text: str
    value: float | tuple
    kind: str

    def matches(self, other: Quantity) -> bool:
        if other.kind not in COMPATIBLE.get(self.kind, {self.kind}):
            return False
        if self.kind == "month" and other.kind in ("months", "date"):
            return self.value in (other.value[0], other.value[-1])
        if isinstance(self.value, tuple) or isinstance(other.value, tuple):
            return self.value == other.value
        return abs(self.value - other.value) <= 1e-9 * max(1.0, abs(self.value))

    def describe(self) -> str:
        if self.kind == "months":
            return f"{self.text} (months {self.value[0]}–{self.value[1]})"
        if self.kind == "date":
            return f"{self.text} (month {self.value[0]}, day {self.value[1]})"
        if not isinstance(self.value, tuple) and not math.isfinite(self.value):
            return self.text  # a run of digits too long for a float is shown as written
        value = self.value if isinstance(self.value, tuple) else _plain(self.value)
        if self.kind == "year":  # 2012, never "2,012"
            value = f"{self.value:.0f}"
        unit = {"percent": "%", "points": " percentage points", "times": " times"}.get(self.kind, "")
        return f"{self.text} ({value}{unit})" if f"{value}" != self.text else self.text


def _plain(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,.6f}".rstrip("0").rstrip(".")


class Found:
    """Quantities collected from one sentence, with the spans they cover, so a later,
    more general pattern (a bare number) never re-reads text a specific one (a date) took."""

    def __init__(self):
        self.quantities: list[Quantity] = []
        self._spans: list[tuple[int, int]] = []

    def add(self, start: int, end: int, quantity: Quantity) -> None:
        self.quantities.append(quantity)
        self._spans.append((start, end))

    def covers(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self._spans)
