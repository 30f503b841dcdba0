"""Quantities in Chinese and English text, normalised so the two can be compared.

Below every stage that reads numbers: the summarizer (a sentence's figures), the aligner
(quantities as anchors between a Chinese sentence and its official English) and the
fidelity checks (did the numbers survive the translation?) all use it, so it lives under
them rather than in any one of them.
"""

from .numbers_en import english_quantities
from .numbers_zh import chinese_quantities, cn_numeral
from .quantity import Found, Quantity

__all__ = ["Found", "Quantity", "chinese_quantities", "cn_numeral", "english_quantities"]
