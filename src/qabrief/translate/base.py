"""The translation interface every backend implements, and trivial implementations.

A `Translator` turns a list of Chinese sentences into English, order preserved. The
pipeline only ever talks to this interface, so it can run with `IdentityTranslator`
(no model at all) in tests and in the app's Chinese-only mode.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import QabriefError

MAX_CONTEXT_CHARS = 300  # the last few sentences; more costs prompt tokens and rarely helps


@dataclass(frozen=True)
class Request:
    """One sentence to translate, with what a model may read but must never translate: the
    sentences before it in its turn (a language model's context) and the official renderings of
    its glossary terms. A plain string is a Request with neither, and is what most callers pass;
    every translator and wrapper takes both (`as_request`), and the cache keys on all three."""

    sentence: str
    context: str = ""
    terms: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if len(self.context) > MAX_CONTEXT_CHARS:
            object.__setattr__(self, "context", self.context[-MAX_CONTEXT_CHARS:])

    @property
    def key(self) -> str:
        """What the cache stores it under: the sentence alone when that is all there is."""
        if not self.context.strip() and not self.terms:
            return self.sentence
        import json

        return json.dumps([self.sentence, self.context, [list(t) for t in self.terms]], ensure_ascii=False)


def as_request(item: str | Request) -> Request:
    return item if isinstance(item, Request) else Request(item)


def sentence_of(item: str | Request) -> str:
    return item.sentence if isinstance(item, Request) else item


@dataclass(frozen=True)
class Translation:
    """One sentence's English. `suspect` is set when the output still looked degenerate
    (looping, empty, far too short or long) after one retry; `reason` says which."""

    source: str
    text: str
    suspect: bool = False
    reason: str | None = None
    cached: bool = False


class Translator(ABC):
    """Chinese sentences in, English out, one for one."""

    #: Identifies model, revision and generation options; the cache keys on it.
    cache_key: str = ""
    #: What served the translation, for display ("transformers fp32 on cpu").
    description: str = ""
    #: "transformers", "ct2", or "" for translators without a model.
    backend: str = ""
    #: Where the model runs ("cpu", "cuda:0", "mps"), or "" for translators without one.
    device: str = ""
    #: Sentences one call should carry for best throughput; 0: no preference. A GPU is fastest
    #: with a whole brief in one call, a CPU streams a page Q&A by Q&A at the same speed.
    call_size: int = 0
    #: Reads each sentence after the Chinese before it in its turn (`Request.context`), not translated.
    wants_context: bool = False
    #: The model's family ("marian", "ct2", "causal-lm", …) and its licence with any restriction,
    #: for the brief's header and JSON; "" for translators without a model.
    model_family: str = ""
    licence: str = ""

    def translate(self, sentences: Sequence[str | Request]) -> list[str]:
        return [t.text for t in self.translate_detailed(sentences)]

    @abstractmethod
    def translate_detailed(self, sentences: Sequence[str | Request]) -> list[Translation]:
        """Translations of `sentences` (strings or Requests), in order, each with its sentence as
        `source`; empty sentences map to empty strings."""

    def notes(self) -> list[str]:
        """What the brief should say about how it was served (an optional store that failed)."""
        return []

    def close(self) -> None:  # noqa: B027 (most translators hold nothing to stop)
        """Stop what keeps the translator alive (a batching thread); the pool calls it on unload."""


class TranslatorWrapper(Translator):
    """A translator around another (cache, cross-request batching, glossary masking): it
    describes itself as the inner one does unless it says more."""

    def __init__(self, inner: Translator):
        self.inner = inner
        self.cache_key = inner.cache_key
        self.description = inner.description
        self.backend = inner.backend
        self.device = inner.device
        self.call_size = inner.call_size
        self.wants_context = inner.wants_context
        self.model_family = inner.model_family
        self.licence = inner.licence

    def notes(self) -> list[str]:
        return self.inner.notes()

    def close(self) -> None:
        self.inner.close()


class IdentityTranslator(Translator):
    """Returns the source unchanged: a stand-in that lets the pipeline run with no model."""

    cache_key = "identity"
    description = "no translation (identity)"

    def translate_detailed(self, sentences: Sequence[str | Request]) -> list[Translation]:
        return [Translation(sentence_of(s), sentence_of(s)) for s in sentences]


class EnglishUnavailable(QabriefError):
    """No English for this call: the translator could not be loaded, or its path died."""


class UnavailableTranslator(Translator):
    """Stands where a model could not be loaded: every call raises the reason, so each brief keeps
    its Chinese and says why it has no English (no dead device is called again)."""

    def __init__(self, reason: str):
        self.reason = reason
        self.description = f"no English ({reason})"
        self.cache_key = "unavailable"

    def translate_detailed(self, sentences: Sequence[str | Request]) -> list[Translation]:
        raise EnglishUnavailable(self.reason)
