"""A sentence and the text before it, through the one-string `Translator` interface.

A causal language model translates a sentence better when it sees the sentences before it
in the same turn (a pronoun's referent, a term named once), but the brief's unit stays the
sentence: the context is shown to the model and never translated. Rather than widen every
translator and wrapper (cache, cross-request batching, glossary masking, the pool's
watcher) with a second argument, the brief joins context and sentence into one string
with a separator that no transcript contains, for translators that ask for it
(`wants_context`). Every wrapper passes it through unchanged, and the cache keys on it
whole, as it must: the same sentence after other context may get other English.
"""

from __future__ import annotations

SEPARATOR = "\u241e"  # SYMBOL FOR RECORD SEPARATOR: printable, so no cleaning step removes it
MAX_CONTEXT_CHARS = 300  # the last few sentences; more costs prompt tokens and rarely helps


def with_context(context: str, sentence: str) -> str:
    context = context[-MAX_CONTEXT_CHARS:].replace(SEPARATOR, "")
    return f"{context}{SEPARATOR}{sentence}" if context.strip() else sentence


def split_context(text: str) -> tuple[str, str]:
    """(context, sentence) of a string made by `with_context`; ("", text) for a bare sentence."""
    context, sep, sentence = text.rpartition(SEPARATOR)
    return (context, sentence) if sep else ("", text)
