"""Measure the English: `qabrief eval` scores models against reference translations
(a TSV of pairs, or the Ministry of Foreign Affairs' own English) with sacrebleu's chrF,
chrF++ and BLEU, the share of numbers and official terms kept, speed and memory."""

from .references import DEFAULT_SET, Pair, load_reference
from .run import ModelScore, as_json, as_table, evaluate

__all__ = ["DEFAULT_SET", "ModelScore", "Pair", "as_json", "as_table", "evaluate", "load_reference"]
