"""The pipeline: transcript in, bilingual `Brief` out (parse → summarize → translate).

Both the app and the batch command call `make_brief`; the renderers only read a Brief.
Every sentence keeps its Chinese, its English (None when no model translated it) and
whether it is part of the summary, so one structure serves the summary view, the full
text with highlights, and the exports.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from .errors import QabriefError
from .fidelity import Glossary, check_sentence, flag_truncated
from .fidelity.enforce import GlossaryEnforcingTranslator
from .fidelity.figures import Figure, figures_of, with_english
from .parse import parse
from .parse.names import name_with_characters, outlet_in_english, pinyin_name
from .parse.transcript import Speaker, Transcript, Turn
from .quantities import chinese_quantities
from .summarize import Budget, QASummarizer, summarize_transcript
from .summarize.limits import Deadline, check, summarized_prefix
from .summarize.segments import limit_note
from .translate.base import Request, Translator

log = logging.getLogger(__name__)
ProgressFn = Callable[[int, int, str], None]


@dataclass
class BriefSentence:
    index: int  # position in the turn's `sentences` of the parse output
    zh: str
    en: str | None = None
    summary: bool = False
    suspect: bool = False  # the model's output looked degenerate (loop, empty, implausible length)
    reason: str | None = None
    problems: list[str] = field(default_factory=list)  # fidelity: numbers or terms missing, truncation
    terms: list[dict] = field(default_factory=list)  # glossary terms in the Chinese: {zh, en, found}
    en_source: str | None = None  # where `en` came from: "official", "memory", "machine", "refined"
    en_model: str | None = None  # the model that made machine or refined English (its description)
    refine_note: str | None = None  # why a refining model's English was not taken (refine.py)
    official: dict | None = None  # the official English linked to it: {en, confidence, shown, source}
    memory: dict | None = None  # the memory's rendering of this very sentence: {zh, en, source, added}
    # a close (or unconfirmed) match in the memory, shown beside the English, never instead of it:
    # {zh, en, similarity, source, added, date, title, url} (the last three: where it was published)
    hint: dict | None = None

    @property
    def flagged(self) -> bool:
        return self.suspect or bool(self.problems)

    @property
    def warnings(self) -> list[str]:
        return ([f"translation looks broken: {self.reason}"] if self.suspect else []) + self.problems


@dataclass
class BriefSpeaker:
    label: str
    role: str
    name_zh: str | None = None
    name_en: str | None = None  # "Xiao Yaqing 肖亞慶"
    outlet_zh: str | None = None
    outlet_en: str | None = None
    title_zh: str | None = None
    title_en: str | None = None
    label_en: str | None = None  # the official English's label for this speaker ("Wang Wenbin", "Q")

    @property
    def heading_zh(self) -> str:
        """The label as printed, with the title the text gives when the label has none
        (肖亞慶: introduced earlier as 工業和信息化部部長 → 工業和信息化部部長 肖亞慶)."""
        if self.title_zh and self.title_zh not in self.label:
            return f"{self.title_zh} {self.label}"
        return self.label

    @property
    def heading_en(self) -> str:
        if self.role == "reporter":
            return f"{self.outlet_en} reporter" if self.outlet_en else (self.name_en or "Reporter")
        if self.role == "host":
            return f"Host {self.name_en}" if self.name_en else "Host"
        who = self.name_en or "Official"
        return f"{who}, {self.title_en}" if self.title_en else who


UNLABELLED_OPENING = "Opening statement"  # what an opening printed without a speaker label is
UNLABELLED = "(no speaker label)"


@dataclass
class BriefTurn:
    speaker: BriefSpeaker | None
    sentences: list[BriefSentence]
    reference: str = ""  # official English of this turn: printed beside it, or the paired paragraphs

    @property
    def summary(self) -> list[BriefSentence]:
        return [s for s in self.sentences if s.summary]


@dataclass
class BriefSegment:
    number: int
    question: BriefTurn | None
    answers: list[BriefTurn]
    keywords_zh: list[str] = field(default_factory=list)
    keywords_en: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)  # every quantity the answers state
    figures_left_out: int = 0  # beyond MAX_FIGURES_PER_SENTENCE in one sentence: pasted junk, not speech


@dataclass
class Brief:
    title_zh: str | None
    title_en: str | None
    date: str | None
    source: str | None
    script: str
    encoding: str
    translator: str  # what produced the English, or why there is none
    translated: bool
    full_text: bool
    opening: list[BriefTurn]
    segments: list[BriefSegment]
    notice: str | None = None  # shown as a banner (e.g. how to enable English)
    english_error: str | None = None  # why the English stopped part-way (the Chinese is whole)
    english_mode: str = "official"  # official first, machine only, or both side by side
    official_source: str | None = None  # the official English the brief was given ("official English: …")
    english_trace: str | None = None  # its traceback, for a log (not part of the brief's JSON)
    # pages fetched by their address: {"role", "url", "final_url", "fetched_at"} each
    fetched: list[dict] = field(default_factory=list)
    model_family: str | None = None  # the translation model's family ("marian", "ct2", "causal-lm", …)
    model_licence: str | None = None  # its licence, with what it forbids beyond attribution
    pending: bool = False  # English still being translated (a streamed page shows "translating…")
    refiner: str | None = None  # the model that refines the summary's English (refine.py), if any
    refine_error: str | None = None  # why the refinement stopped part-way
    refining: bool = False  # refined English still arriving

    def add_notice(self, text: str | None, capitalised: bool = False) -> None:
        """Add a sentence to the header's notice (None: nothing); `capitalised`: a clause that gets a
        capital and a full stop when it starts the notice, a full stop when it follows."""
        if not text:
            return
        if capitalised:
            text = f"{text}." if self.notice else f"{text[0].upper()}{text[1:]}."
        self.notice = f"{self.notice} {text}" if self.notice else text

    def to_dict(self) -> dict:
        out = asdict(self)
        del out["pending"], out["english_trace"], out["refining"]  # a page's state and a log's, not the brief's
        return out


def make_brief(source: str | bytes | Transcript, translator: Translator | None = None, budget: Budget | None = None,
               **options) -> Brief:
    """Transcript (text, bytes, path or parsed) → Brief; English only where `translator` is given.
    The options are `iter_brief`'s; this is its last stage."""
    *_, brief = iter_brief(source, translator, budget, **options)
    return brief


def iter_brief(
    source: str | bytes | Transcript,
    translator: Translator | None = None,
    budget: Budget | None = None,
    full_text: bool = False,
    progress: ProgressFn | None = None,
    notice: str | None = None,
    glossary: Glossary | None = None,
    enforce_glossary: bool = False,
    english=None,
    english_mode: str = "official",
    memory=None,
    fetched: list[dict] | None = None,
) -> Iterator[Brief]:
    """The brief in stages, for a page that streams: yields the same Brief when its Chinese
    is complete (parsing and summarizing take well under a second), again after each Q&A's
    English (in document order), and last when the fidelity checks are done (`pending` False).

    `full_text=True` translates every sentence, not only the summary. `progress(done,
    total, what)` is called after each segment is translated, counting sentences. Every translated sentence
    is checked for its numbers and for the terms of `glossary` (default: the shipped one);
    `enforce_glossary` makes the model emit the official renderings verbatim. `english`: the
    official English transcript (text, bytes, path or a read `EnglishDocument`); in the
    default `english_mode` its confidently linked sentences show it and never reach the model.
    `memory`: a TranslationMemory of official renderings (None: not used). `fetched`: where
    and when pages given by their address were fetched (`fetch.FetchedPage.origin`).
    """
    brief = chinese_brief(source, budget, full_text=full_text, notice=notice, english=english,
                          english_mode=english_mode, glossary=glossary, memory=memory, fetched=fetched)
    if translator is not None:  # a streamed page says what is translating while it does
        brief.translator, brief.translated, brief.pending = translator.description, True, True
    yield brief
    if translator is not None:
        yield from english_stages(brief, translator, progress=progress, glossary=glossary,
                                  enforce_glossary=enforce_glossary)


def chinese_brief(source: str | bytes | Transcript, budget: Budget | None = None, full_text: bool = False,
                  notice: str | None = None, english=None, english_mode: str = "official",
                  glossary: Glossary | None = None, memory=None, fetched: list[dict] | None = None,
                  deadline: Deadline | None = None) -> Brief:
    """Parse and summarize: the brief with its Chinese, key figures and official English (from
    `english`, an official English transcript, or the English a bilingual page prints), and
    what the `memory` of official renderings knows; no machine English yet.

    The work is bounded whatever the text (summarize/limits.py); where a limit cut it, the
    notice says so. `deadline` (a time budget and/or a cancellation callback) is checked
    between turns, segments and sentences: WorkCancelled (a QabriefError) names the stage."""
    transcript = source if isinstance(source, Transcript) else parse(source)
    check(deadline, "summarizing")
    budget = budget or Budget()
    summaries = summarize_transcript(transcript, budget, deadline=deadline)
    opening = [_turn(t, _opening_picks(t, budget)) for t in transcript.opening]
    cut = [note for t in transcript.opening if (note := _opening_cut(t))] + [n for s in summaries for n in s.notes]
    if cut:
        notice = " ".join(x for x in (notice, _limits_notice(cut)) if x)
    segments = []
    for n, (seg, summ) in enumerate(zip(transcript.segments, summaries), 1):
        question = _turn(seg.question, set(summ.question.indices)) if seg.question else None
        picked = {a.turn: set(a.indices) for a in summ.answers}
        answers = [_turn(t, picked.get(i, set())) for i, t in enumerate(seg.answer)]
        segments.append(BriefSegment(n, question, answers, summ.keywords))
    brief = Brief(
        title_zh=transcript.title, title_en=None, date=transcript.date, source=transcript.source,
        script=transcript.script, encoding=transcript.encoding, translator="none (Chinese only)",
        translated=False, full_text=full_text, opening=opening, segments=segments, notice=notice,
        english_mode=english_mode, fetched=list(fetched or []),
    )
    check(deadline, "official English")
    _official_english(brief, transcript, english, english_mode, glossary, memory)
    check(deadline, "key figures")
    _key_figures(brief, deadline)
    return brief


def _opening_cut(turn: Turn) -> str | None:
    n = summarized_prefix([s.text for s in turn.sentences])
    return limit_note(turn, n) if n < len(turn.sentences) else None


def _limits_notice(notes: list[str]) -> str:
    """One line for the banner: the first few places where a limit cut the summary."""
    from .summarize import limits

    shown = "; ".join(notes[:3]) + (f"; and {len(notes) - 3:,} more" if len(notes) > 3 else "")
    return (f"Very long input, summarized in part (a turn over at most {limits.MAX_TURN_SENTENCES:,} sentences and "
            f"{limits.MAX_TURN_CHARS:,} characters): {shown}.")


def _official_english(brief: Brief, transcript: Transcript, english, mode: str, glossary, memory) -> None:
    from .official import ENGLISH_MODES, attach_memory, attach_official, links_for, read_english
    from .official.memory import learning_enabled

    if mode not in ENGLISH_MODES:
        raise QabriefError(f"unknown English mode {mode!r}; choose from {', '.join(ENGLISH_MODES)}")
    if english is not None and not hasattr(english, "paragraphs"):
        english = read_english(english)
    turns = all_turns(brief)
    if english is not None or any(t.reference for t in transcript.turns):
        glossary = glossary or Glossary.load()
        official = links_for(transcript.text, transcript.turns, english, glossary)
        brief.official_source = ("official English: " + (english.title or "second document")) if english \
            else "official English printed in the transcript"
        source = " ".join(x for x in (brief.official_source, brief.date and f"({brief.date[:10]})") if x)
        learned = attach_official(turns, official, mode, source)
        learned.origin = _origin(brief, english)  # what a hint from these renderings will name
        if english is not None and brief.title_zh and english.title:
            brief.title_en = english.title
        if memory is not None and learned and learning_enabled():
            memory = _optional_store(brief, memory, lambda: memory.add(learned, source))
    if memory is not None:
        _optional_store(brief, memory, lambda: attach_memory(turns, memory, mode))


def _origin(brief: Brief, english):
    """The date, title and address of the official English a brief learns from: the brief's
    date, the English document's title (else the transcript's), the address it was fetched from."""
    from .official.memory import Origin

    url = next((page["url"] for page in brief.fetched if page.get("role") == "official English"), "") if english \
        else next((page["url"] for page in brief.fetched if page.get("role") == "transcript"), "")
    return Origin(date=(brief.date or "")[:10], title=(english.title if english else None) or brief.title_zh or "",
                  url=url or "")


def _optional_store(brief: Brief, memory, action):
    """`action()` on the memory of official renderings, which is optional: an error opening, reading
    or writing it (a file where its folder should be, a read-only folder, a corrupt database) is
    logged, the brief goes on without it and its notice says so. Returns the memory, or None once
    it failed."""
    import sqlite3

    try:
        action()
        return memory
    except (sqlite3.Error, OSError) as exc:
        reason = f"the memory of official renderings is unavailable ({type(exc).__name__}: {exc}); briefed without it"
        log.warning("%s", reason)
        brief.add_notice(reason, capitalised=True)
        return None


def english_stages(brief: Brief, translator: Translator, progress: ProgressFn | None = None,
                   glossary: Glossary | None = None, enforce_glossary: bool = False,
                   deadline: Deadline | None = None) -> Iterator[Brief]:
    """Translate a `chinese_brief` in place: yields after each Q&A's English, and last when
    the fidelity checks are done (`pending` False).

    A translator that fails part-way never costs the brief: the Chinese and the English made
    so far stay, and `english_error` (shown in the header) says why the rest has none; so
    does a `deadline` that passes (checked before each model call)."""
    glossary = glossary or Glossary.load()
    if enforce_glossary:
        translator = GlossaryEnforcingTranslator(translator, glossary)
    brief.translator, brief.translated, brief.pending = translator.description, True, True
    brief.model_family, brief.model_licence = translator.model_family or None, translator.licence or None
    try:
        yield from _translate(brief, translator, brief.full_text, progress, deadline)
        brief.translator = translator.description  # a run's fallback may have taken over (translate/failover.py)
        for note in translator.notes():  # an optional store that failed: the English is whole without it
            brief.add_notice(note, capitalised=True)
    except QabriefError as exc:
        _english_failed(brief, str(exc))
    except Exception as exc:  # a library's or the GPU's failure: the reader gets the Chinese and the reason
        _english_failed(brief, f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
        # one line here; the traceback goes with the brief to whoever keeps a log (the batch log, the server's)
        log.warning("translation failed: %s", brief.english_error)
        brief.english_trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    check_fidelity(brief, glossary)
    _key_figures_english(brief)
    brief.pending = False
    yield brief


def _english_failed(brief: Brief, reason: str) -> None:
    brief.english_error = reason
    brief.add_notice(f"English stopped: {reason}. The Chinese brief is complete; sentences without English say so.")


def all_turns(brief: Brief) -> list[BriefTurn]:
    return brief.opening + [t for seg in brief.segments for t in ([seg.question] if seg.question else []) + seg.answers]


# The densest sentence of the corpus states 9 quantities, the seed's brief 72 in all. Each
# figure repeats its sentence, so without caps a pasted run of "1%1%1%…" would make the JSON
# hundreds of times its input; with them, figures add at most MAX_FIGURES sentences of at
# most MAX_SENTENCE_CHARS (1000) characters.
MAX_FIGURES_PER_SENTENCE = 30
MAX_FIGURES = 5000


def _key_figures(brief: Brief, deadline: Deadline | None = None) -> None:
    listed = 0
    for seg in brief.segments:
        check(deadline, "key figures")
        seg.figures, seg.figures_left_out = [], 0
        for s in (s for turn in seg.answers for s in turn.sentences):
            if listed >= MAX_FIGURES:  # counted, not described: describing is most of the cost
                seg.figures_left_out += len(chinese_quantities(s.zh))
                continue
            found = figures_of([(s.index, s.zh, s.en)])
            kept = found[:max(0, min(MAX_FIGURES_PER_SENTENCE, MAX_FIGURES - listed))]
            seg.figures += kept
            seg.figures_left_out += len(found) - len(kept)
            listed += len(kept)


def _key_figures_english(brief: Brief) -> None:
    """The figures found on the Chinese, given their sentence's English (no second extraction)."""
    for seg in brief.segments:
        english = {(s.zh, s.index): s.en for turn in seg.answers for s in turn.sentences}
        for figure in seg.figures:
            with_english(figure, english[(figure.zh, figure.index)])


def check_fidelity(brief: Brief, glossary: Glossary) -> None:
    """Numbers and glossary terms per translated sentence; truncation judged on the whole document.
    The second Chinese sentence of a 2-1 official link has its English with the first: the first
    is checked against the two, so the second's numbers are not reported lost."""
    turns = all_turns(brief)
    chinese = {}  # id of a sentence → the Chinese its English renders
    for turn in turns:
        first = None
        for s in turn.sentences:
            if s.en == "" and s.en_source == "official" and first is not None:
                chinese[id(first)] += s.zh
            elif s.en is not None:
                first, chinese[id(s)] = s, s.zh
    translated = [s for t in turns for s in t.sentences if id(s) in chinese]
    for s in translated:
        check = check_sentence(chinese[id(s)], s.en, glossary)
        s.terms = [{"zh": t.zh, "en": t.en, "found": t.found} for t in check.terms]
        s.problems = check.problems
    for s, short in zip(translated, flag_truncated([(s.zh, s.en) for s in translated])):
        if short and not s.suspect:
            s.problems.append("English much shorter than the rest of the document warrants: possibly truncated")


def _opening_picks(turn: Turn, budget: Budget) -> set[int]:
    return {p.index for p in QASummarizer()([s.text for s in turn.sentences], budget)}


def _turn(turn: Turn, picks: set[int]) -> BriefTurn:
    sentences = [BriefSentence(i, s.text, summary=i in picks) for i, s in enumerate(turn.sentences)]
    return BriefTurn(_speaker(turn.speaker), sentences, turn.reference)


def _speaker(speaker: Speaker | None) -> BriefSpeaker | None:
    if speaker is None:
        return None
    return BriefSpeaker(
        label=speaker.label, role=speaker.role, name_zh=speaker.name,
        name_en=name_with_characters(speaker.name) if speaker.name else None,
        outlet_zh=speaker.outlet, outlet_en=outlet_in_english(speaker.outlet) if speaker.outlet else None,
        title_zh=speaker.title,
    )


def _translate(brief: Brief, translator: Translator, full_text: bool,
               progress: ProgressFn | None, deadline: Deadline | None = None) -> Iterator[Brief]:
    """Translate what the brief shows, one segment per model call; yields after each."""
    groups: list[list[BriefTurn]] = [brief.opening] + [
        ([s.question] if s.question else []) + s.answers for s in brief.segments]
    # Names the table does not know, titles, keywords and the title: one call up front.
    speakers = [t.speaker for g in groups for t in g if t.speaker]
    extras = {brief.title_zh} if brief.title_zh and not brief.title_en else set()  # an official title stays
    extras |= {s.title_zh for s in speakers if s.title_zh}
    extras |= {s.outlet_zh for s in speakers if s.outlet_zh and not s.outlet_en}
    extras |= {k for seg in brief.segments for k in seg.keywords_zh}
    extras.discard(None)
    ordered = sorted(extras)
    english = dict(zip(ordered, translator.translate(ordered)))
    if brief.title_zh and not brief.title_en:
        brief.title_en = english.get(brief.title_zh)
    for sp in speakers:
        sp.title_en = english.get(sp.title_zh) if sp.title_zh else None
        if sp.outlet_zh and not sp.outlet_en:
            sp.outlet_en = english.get(sp.outlet_zh)
        if sp.name_zh and not sp.name_en:
            sp.name_en = pinyin_name(sp.name_zh)
    for seg in brief.segments:
        seg.keywords_en = [english.get(k, "") for k in seg.keywords_zh]
    # what has English already (official or memory, in the default mode) never reaches the model
    wanted = [[s for t in group for s in t.sentences if (full_text or s.summary) and s.en is None] for group in groups]
    total, done = sum(len(w) for w in wanted), 0
    # a translator that reads context (a causal LM) gets each sentence after the ones before it in its turn
    context = turn_contexts(groups) if getattr(translator, "wants_context", False) else {}
    for call in _calls([len(w) for w in wanted], translator.call_size):
        check(deadline, "translating")  # past the request's budget: the English made so far stays
        sentences = [s for n in call for s in wanted[n]]
        asked = [Request(s.zh, context[id(s)]) if context else s.zh for s in sentences]
        for sentence, result in zip(sentences, translator.translate_detailed(asked)):
            sentence.en = result.text
            sentence.en_source, sentence.en_model = "machine", translator.description
            sentence.suspect = result.suspect
            sentence.reason = result.reason
        done += len(sentences)
        if progress:
            n = call[-1]
            progress(done, total, "opening" if n == 0 else f"Q&A {n} of {len(groups) - 1}")
        yield brief


def turn_contexts(groups: list[list[BriefTurn]]) -> dict[int, str]:
    """For each sentence (by id), the Chinese before it in its own turn."""
    out = {}
    for group in groups:
        for turn in group:
            before = ""
            for s in turn.sentences:
                out[id(s)] = before
                before += s.zh
    return out


def _calls(sizes: list[int], call_size: int) -> list[list[int]]:
    """Consecutive groups (the opening, then each Q&A) packed into model calls of at least
    `call_size` sentences (a GPU's whole brief at once); 0: one call per group (a page streams
    Q&A by Q&A, and a CPU is as fast either way)."""
    calls: list[list[int]] = [[]]
    filled = 0
    for n, size in enumerate(sizes):
        if calls[-1] and filled >= call_size:
            calls.append([])
            filled = 0
        calls[-1].append(n)
        filled += size
    return [c for c in calls if c]
