"""Speaker names and outlets in English: kept importable here for callers outside the package.

The module itself is `qabrief.parse.names`, in the stage that owns speakers; this one only
re-exports it (it imports downwards, as every stage above parse does).
"""

from .parse.names import OUTLETS, name_with_characters, outlet_in_english, pinyin_name

__all__ = ["OUTLETS", "name_with_characters", "outlet_in_english", "pinyin_name"]
