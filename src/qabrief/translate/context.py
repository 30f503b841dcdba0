"""A sentence, the text before it, and the glossary terms it must use, through the one-string
`Translator` interface.

A causal language model translates a sentence better when it sees the sentences before it
in the same turn (a pronoun's referent, a term named once), but the brief's unit stays the
sentence: the context is shown to the model and never translated. With glossary
enforcement it is also told the official renderings of the terms the sentence contains
(an instruction, where encoder–decoder models get placeholders). Rather than widen every
translator and wrapper (cache, cross-request batching, glossary masking, the pool's
watcher) with more arguments, the brief joins them into one string with separators no
transcript contains, for translators that ask for it (`wants_context`). Every wrapper
passes it through unchanged, and the cache keys on it whole, as it must: the same
sentence after other context, or with other terms, may get other English.
"""

from __future__ import annotations

SEPARATOR = "\u241e"  # SYMBOL FOR RECORD SEPARATOR: printable, so no cleaning step removes it
TERMS = "\u241d"  # SYMBOL FOR GROUP SEPARATOR: the terms follow it, as zh=en|zh=en
MAX_CONTEXT_CHARS = 300  # the last few sentences; more costs prompt tokens and rarely helps


def pack(context: str, sentence: str, terms: list[tuple[str, str]] | tuple = ()) -> str:
    context = context[-MAX_CONTEXT_CHARS:].replace(SEPARATOR, "").replace(TERMS, "")
    text = f"{context}{SEPARATOR}{sentence}" if context.strip() else sentence
    return text + (TERMS + "|".join(f"{zh}={en}" for zh, en in terms) if terms else "")


def unpack(text: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(context, sentence, terms) of a string made by `pack`; ("", text, []) for a bare sentence."""
    text, sep, listed = text.partition(TERMS)
    terms = [tuple(item.split("=", 1)) for item in listed.split("|") if "=" in item] if sep else []
    context, sep, sentence = text.rpartition(SEPARATOR)
    return (context, sentence, terms) if sep else ("", text, terms)


def with_context(context: str, sentence: str) -> str:
    return pack(context, sentence)


def split_context(text: str) -> tuple[str, str]:
    """(context, sentence) of a packed string, its terms left out."""
    context, sentence, _ = unpack(text)
    return context, sentence
