"""Refinement: a second, slower model's English for the summary sentences (issue 35).

The fast model gives every card its English first, as always. Then the refining model (a
language model: Hy-MT2 in GGUF form on a CPU, or on a GPU) translates the **summary
sentences** again, in document order, and each one's English is replaced as it arrives,
marked with the model that made it (`en_source` "refined", `en_model`).

The reader's guarantees do not move: official and memory English are never refined; the
fidelity checks run on the new English, and where it loses a number or a glossary term that
the fast English kept, the fast English stays and the sentence says why (`refine_note`). A
refiner that fails, or a deadline that passes, stops the refinement and leaves every
sentence with the English it had.

Trade-off: only the summary is refined, not the full text: on a 2-core CPU a 1.8B model
takes seconds a sentence, which a summary (tens of sentences) can afford and a transcript
(hundreds) cannot.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from .brief import Brief, BriefSentence, ProgressFn, all_turns, check_fidelity, turn_contexts
from .fidelity import Glossary, check_sentence
from .summarize.limits import Deadline, check
from .translate.base import Request, Translator

log = logging.getLogger(__name__)


def to_refine(brief: Brief) -> list[BriefSentence]:
    """The sentences a refiner translates again: summary sentences with machine English, in order."""
    return [s for turn in all_turns(brief) for s in turn.sentences
            if s.summary and s.en_source == "machine" and s.en]


def refine_stages(brief: Brief, refiner: Translator, glossary: Glossary | None = None,
                  progress: ProgressFn | None = None, deadline: Deadline | None = None,
                  name: str | None = None) -> Iterator[Brief]:
    """Refine a translated brief in place, yielding after each model call (one sentence, or the
    refiner's `call_size`), then last with `refining` False. `name`: the model as the user chose
    it (a preset), which the header and each refined sentence's `en_model` show beside its path."""
    glossary = glossary or Glossary.load()
    sentences = to_refine(brief)
    brief.refiner, brief.refining = label(refiner, name), True
    contexts = turn_contexts([all_turns(brief)]) if refiner.wants_context else {}
    try:
        for _ in refine_sentences(sentences, refiner, glossary, contexts, progress, deadline, name):
            yield brief
    except Exception as exc:  # a refiner's failure of any kind: the fast English stays, with the reason
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        log.warning("refinement stopped: %s", reason)
        brief.refine_error = reason
        done = sum(s.en_source == "refined" or s.refine_note is not None for s in sentences)
        brief.add_notice(f"Refinement stopped after {done} of {len(sentences)} sentences: {reason}. "
                         "The rest keep the fast English.")
    check_fidelity(brief, glossary)  # truncation is judged on the document as it now reads
    brief.refining = False
    yield brief


def label(refiner: Translator, name: str | None = None) -> str:
    return f"{name} ({refiner.description})" if name and name not in refiner.description else refiner.description


def refine_sentences(sentences: list[BriefSentence], refiner: Translator, glossary: Glossary,
                     contexts: dict[int, str] | None = None, progress: ProgressFn | None = None,
                     deadline: Deadline | None = None, name: str | None = None) -> Iterator[int]:
    """Translate `sentences` (with their fast English) again, in order, replacing each one's English
    where the rule allows; yields how many are done after each model call (raises what the refiner raises)."""
    size = max(1, refiner.call_size or 1)
    for start in range(0, len(sentences), size):
        check(deadline, "refining")
        call = sentences[start:start + size]
        asked = [Request(s.zh, contexts.get(id(s), "")) if contexts else s.zh for s in call]
        for sentence, result in zip(call, refiner.translate_detailed(asked)):
            _replace(sentence, result.text, result.suspect, result.reason, label(refiner, name), glossary)
        done = start + len(call)
        if progress:
            progress(done, len(sentences), "the summary again (refining)")
        yield done


def _replace(sentence: BriefSentence, english: str, suspect: bool, reason: str | None, model: str,
             glossary: Glossary) -> None:
    """The refined English replaces the fast one unless it is broken or loses what the fast one kept."""
    if suspect or not english.strip():
        sentence.refine_note = f"{model}'s English looked broken ({reason or 'empty'}): the fast English stays"
        return
    fast = check_sentence(sentence.zh, sentence.en or "", glossary)
    new = check_sentence(sentence.zh, english, glossary)
    fast_missing = {q.text for q in fast.missing_numbers}
    lost = [q for q in new.missing_numbers if q.text not in fast_missing]  # numbers the fast English kept
    fast_terms = {t.zh for t in fast.terms if t.found}
    lost_terms = [t for t in new.terms if not t.found and t.zh in fast_terms]
    if lost or lost_terms:
        what = [f"number {q.describe()}" for q in lost] + [f"term {t.zh} (“{t.en}”)" for t in lost_terms]
        sentence.refine_note = f"{model}'s English lost {', '.join(what)}: the fast English, which kept it, stays"
        return
    sentence.en, sentence.en_source, sentence.en_model = english, "refined", model
    sentence.suspect, sentence.reason, sentence.refine_note = False, None, None
