"""Glossary enforcement by placeholder masking.

Before translation each glossary term is replaced by a placeholder (QXA, QXB, …): short
capitalised Latin strings, which MT models copy through unchanged as they do names and
codes. After translation the placeholders become the official renderings, verbatim.

Limits: the model sees a placeholder instead of the term, so grammar around it can
suffer (articles, plural agreement), and a model may still drop or alter a placeholder;
then the sentence is translated again without masking and marked so the reader knows
the term was not enforced.

A language model (a translator that reads context, `Translator.wants_context`) is instead told
the official renderings of the sentence's terms in its prompt: it can inflect around them
as placeholders do not allow, and the fidelity check still marks a term its English lacks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..parse.script import to_simplified
from ..translate.base import Request, Translation, Translator, TranslatorWrapper, as_request, sentence_of
from .glossary import Glossary

PLACEHOLDERS = [f"QX{chr(ord('A') + i)}" for i in range(26)]


def mask(sentence: str, glossary: Glossary) -> tuple[str, dict[str, str]]:
    """(Simplified sentence with terms replaced, placeholder → official rendering)."""
    text = to_simplified(sentence)
    mapping: dict[str, str] = {}
    for term, placeholder in zip(glossary.find(text), PLACEHOLDERS):
        text = text.replace(term.zh, placeholder)
        mapping[placeholder] = term.en
    return text, mapping


def unmask(text: str, mapping: dict[str, str]) -> str | None:
    """English with placeholders restored, or None when the model lost one."""
    if not all(p in text for p in mapping):
        return None
    for placeholder, rendering in mapping.items():
        text = text.replace(placeholder, rendering)
    return text


class GlossaryEnforcingTranslator(TranslatorWrapper):
    def __init__(self, inner: Translator, glossary: Glossary):
        super().__init__(inner)
        self.glossary = glossary
        digest = hashlib.sha256(repr(sorted((t.zh, t.en) for t in glossary.terms.values())).encode()).hexdigest()
        self.cache_key = f"{inner.cache_key}|glossary={digest[:12]}"
        self.description = f"{inner.description}, glossary enforced"

    def translate_detailed(self, sentences: Sequence[str | Request]) -> list[Translation]:
        if self.inner.wants_context:
            return self._instructed(sentences)
        sentences = [sentence_of(s) for s in sentences]  # an encoder–decoder model reads no context
        masked = [mask(s, self.glossary) for s in sentences]
        results = self.inner.translate_detailed([m for m, _ in masked])
        out: list[Translation | None] = []
        retry = []
        for i, (source, (_, mapping), result) in enumerate(zip(sentences, masked, results)):
            restored = unmask(result.text, mapping) if mapping else result.text
            if restored is None:
                out.append(None)
                retry.append(i)
            else:
                out.append(Translation(source, restored, result.suspect, result.reason, result.cached))
        if retry:
            plain = self.inner.translate_detailed([sentences[i] for i in retry])
            for i, result in zip(retry, plain):
                reason = result.reason or "glossary term not enforced (placeholder lost)"
                out[i] = Translation(sentences[i], result.text, True, reason, result.cached)
        return out

    def _instructed(self, sentences: Sequence[str | Request]) -> list[Translation]:
        """The terms of each sentence (not of its context) as an instruction in its prompt."""
        asked = []
        for request in map(as_request, sentences):
            found = [(t.zh, t.en) for t in self.glossary.find(to_simplified(request.sentence))]
            asked.append(Request(request.sentence, request.context, tuple(dict.fromkeys([*request.terms, *found]))))
        return self.inner.translate_detailed(asked)
