"""What language models do wrong when asked to translate, cleaned where the fix is certain and
named where it is not.

Cleaned (the English is still there, only wrapped): a preamble ("Here is the translation:",
"Translation:", "Sure! …:"), quotes wrapped round the whole answer when the source had
none, a trailing note or explanation after the English ("Note: …"). Named, so the
engine retries once and then flags the sentence like any broken output: an answer in
Chinese (or mostly not English), a comment instead of a translation ("I cannot
translate…", "This sentence means…"), and the context translated along with the
sentence. `guard.degeneracy` still applies after these (loops, empty, length).
"""

from __future__ import annotations

import re

from ..parse.script import han_count

_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|ok)[,!.]?\s*)?"
    r"(?:(?:here(?:'s| is| are)|below is) (?:the |your |my |an? )?(?:english |possible )?translations?"
    r"(?: (?:of|for) [^:\n]{0,80})?(?: in(?:to)? english)?\s*[:：]"
    r"|(?:english )?translation\s*[:：]|english\s*[:：])\s*",
    re.I)
_TRAILING_NOTE = re.compile(r"\s*(?:\n\s*\n|\n)\s*(?:\(?\s*(?:note|notes|explanation|translator'?s note)\s*[:：]"
                            r"|\*\*note).*\Z", re.I | re.S)
_QUOTES = {'"': '"', "“": "”", "'": "'", "「": "」"}
_COMMENT = re.compile(r"\b(?:I (?:cannot|can't|am unable to|'m unable to)|as an AI|this (?:sentence|text|phrase) "
                      r"(?:means|translates|is saying)|the (?:source|original) (?:text|sentence)"
                      r"|translat(?:e|ion|ed)\b)",
                      re.I)


def clean_output(text: str, context: str = "") -> str:
    """The English with what certainly is not part of it removed."""
    out = text.strip()
    for _ in range(2):  # "Sure! Here is the translation:\nTranslation: …"
        out = _PREAMBLE.sub("", out, count=1).strip()
    out = _TRAILING_NOTE.sub("", out).strip()
    if len(out) >= 2 and out[0] in _QUOTES and out[-1] == _QUOTES[out[0]] and out[0] not in out[1:-1]:
        out = out[1:-1].strip()
    return out


def problem_of(sentence: str, english: str, context: str = "") -> str | None:
    """Why `english` is not a translation of `sentence` the way an LLM gets it wrong, or None."""
    if not english.strip():
        return None  # empty output is guard.degeneracy's to name
    han = han_count(english)
    letters = len(re.findall(r"[A-Za-z]", english))
    if han >= 2 and han * 2 > letters:
        return "not English"
    if _COMMENT.search(english) and not re.search(r"翻译|翻譯|译|譯", sentence):
        return "a comment, not a translation"
    if context and han_count(sentence) >= 4:
        words = len(re.findall(r"\w+", english))
        # as long as the sentence and its context together warrant: the context was translated too
        if words > 2.2 * han_count(sentence) + 8 and words > 0.5 * (han_count(sentence) + han_count(context)):
            return "the context translated too"
    return None
