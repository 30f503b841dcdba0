"""Official English first: where the ministry published the English, it wins over machine translation.

- `documents`: a Chinese transcript and its official English published on another page,
  paired paragraph by paragraph, then sentence by sentence;
- `align`: the sentence aligner (Gale–Church lengths with quantity, glossary, name,
  question and dictionary anchors; each link's posterior probability as its confidence);
- `attach`: linked sentences get the official English in the brief (`en_source` "official"),
  only above CONFIDENT; the rest keep machine English with the turn's official passage as
  context;
- `memory`: official renderings remembered (from every two-document or bilingual brief, and
  `qabrief memory import`), so the same sentence in a later Chinese-only transcript gets
  it too, marked "memory"; a close match is a hint beside the machine English, never a
  substitute.

On the hand links (tests/data/official_links: 315 from 12 Foreign Ministry conferences;
tests/data/alignment: 41 from other publishers) see tests/test_official.py for the
figures of the chosen threshold.
"""

from __future__ import annotations

from .align import CONFIDENT, Link, align, length_ratio, split_english
from .attach import (
    ENGLISH_MODES,
    WITH_PREVIOUS,
    OfficialEnglish,
    OfficialLink,
    attach_memory,
    attach_official,
    links_for,
)
from .documents import EnglishDocument, read_english
from .memory import HINT_SIMILARITY, Match, TranslationMemory, default_memory_path, memory_enabled, normalise

__all__ = ["CONFIDENT", "ENGLISH_MODES", "HINT_SIMILARITY", "WITH_PREVIOUS", "EnglishDocument", "Link", "Match",
           "OfficialEnglish", "OfficialLink", "TranslationMemory", "align", "attach_memory", "attach_official",
           "default_memory", "default_memory_path", "length_ratio", "links_for", "memory_enabled", "normalise",
           "read_english", "split_english"]


def default_memory() -> TranslationMemory | None:
    """The user's memory, or None when QABRIEF_MEMORY=off."""
    return TranslationMemory() if memory_enabled() else None
