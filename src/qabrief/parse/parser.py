"""Transcript text → speaker turns and Q&A segments (the header is `header.py`'s).

The parser works in three passes over the decoded text, never rewriting it:
1. header lines (title, date, source, page boilerplate) are read off the top (`header`);
2. every body line is classified (Chinese text, English reference, bare question
   number, timestamp: `lines`) and each label family finds its labels (`families`);
3. the text between labels becomes turns, consecutive turns of one speaker merge,
   and turns group into segments at each reporter's question.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from dataclasses import replace

from .askers import mark_follow_ups, name_answers
from .english import ENGLISH_LABEL, english_first, split_inline_english, strip_english_label, strip_narrative, unglue
from .events import Event
from .families import find_labels
from .families.english_qa import ENGLISH_QA
from .header import read_header
from .hosts import mark_closings, mark_hosts
from .lines import TS, Page, split_lines
from .reading import MAX_INPUT_BYTES, read_document
from .script import detect_script, han_count, to_simplified
from .sentences import split_sentences
from .speakers import LABEL_STOP, TITLE_ENDINGS, identity
from .transcript import Segment, Transcript, Turn

# "…。[10:19]" closing a paragraph: the page's time stamp, not a sentence
_TRAILING_TS = re.compile(rf"(?<![ \t\u3000])[ \t\u3000]*[\[【]{TS}[\]】]$")  # not （9:30）, which is said
_HEADLINE_END = re.compile(r"[.?!。？！][\"”’')]*$")
# a title read off a dated headline ("2020年4月28日外交部发言人赵立坚主持…") is the title without the date
_DATED = re.compile(r"^\s*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*")
# a title phrase ending where a name begins (searched with endpos at the name: \Z is there)
_TITLE_BEFORE = r"([^{stop}、]{{2,24}}(?:{titles})(?:、[^{stop}、]{{2,24}}(?:{titles}))*)\s*\Z"
_TITLE_WINDOW = 300


def parse(source: str | bytes | os.PathLike, *, max_bytes: int = MAX_INPUT_BYTES,
          charset: str | None = None) -> Transcript:
    """Parse a transcript given as text, bytes or a file path (`pathlib.Path`); `charset`: the
    one a web server declared for the bytes."""
    doc = read_document(source, max_bytes=max_bytes, charset=charset)
    text = doc.text
    lines = split_lines(text)
    meta, body_from = read_header(text, lines, doc.html_title)
    page = Page.of(text, lines[body_from:])
    body, kinds = page.body, page.kinds
    events, label_spans = find_labels(page)
    label_spans = sorted(label_spans)
    events = _attach_titles(text, sorted(events, key=lambda e: e.label_start))
    _english_headlines(text, body, kinds, events)
    turns, repeats = _build_turns(text, body, kinds, events, english_first(text, body, kinds, events))
    turns = name_answers(meta.get("title"), text, mark_follow_ups(mark_hosts(text, turns)))
    transcript = Transcript(
        text=text,
        title=meta.get("title"),
        date=meta.get("date"),
        source=meta.get("source"),
        script=detect_script(text),
        encoding=doc.encoding,
        label_spans=label_spans,
        skipped_spans=sorted(page.lines_of("furniture") + repeats),
    )
    transcript.opening, transcript.segments = _segment(turns)
    return transcript


def _attach_titles(text: str, events: list[Event]) -> list[Event]:
    """Give a name seen only bare (`肖亞慶:`) the title the prose introduces it with: the
    leftmost title phrase right before one of the name's occurrences.

    One pass finds every occurrence of every such name, and the title is looked for only in
    the _TITLE_WINDOW characters before each: a search of the whole text per name took
    hours for 2,500 names in 5 MB."""
    simp = to_simplified(text)
    same_length = len(simp) == len(text)
    wanted = {to_simplified(e.speaker.name) for e in events
              if e.speaker and e.speaker.name and not e.speaker.title and e.speaker.role == "official"}
    if not wanted:
        return events
    at = _occurrences(simp, wanted)
    title_before = re.compile(_TITLE_BEFORE.format(stop=LABEL_STOP, titles="|".join(TITLE_ENDINGS)))
    found: dict[str, str] = {}
    out = []
    for e in events:
        sp = e.speaker
        if not sp or not sp.name or sp.title or sp.role != "official":
            out.append(e)
            continue
        key = to_simplified(sp.name)
        if key not in found:
            found[key] = ""
            for p in at.get(key, ()):
                if m := title_before.search(simp, max(0, p - _TITLE_WINDOW), p):
                    found[key] = _DATED.sub("", (text if same_length else simp)[m.start(1) : m.end(1)])
                    break
        out.append(replace(e, speaker=replace(sp, title=found[key])) if found[key] else e)
    return out


def _occurrences(text: str, names: set[str]) -> dict[str, list[int]]:
    """Where each of `names` occurs in text (overlaps included), in one pass."""
    lengths = sorted({len(n) for n in names})
    first = re.compile("[" + "".join(sorted({re.escape(n[0]) for n in names if n})) + "]")
    at: dict[str, list[int]] = {}
    for m in first.finditer(text):
        p = m.start()
        for k in lengths:
            if (w := text[p : p + k]) in names:
                at.setdefault(w, []).append(p)
    return at


def _english_headlines(text, body, kinds, events) -> None:
    """A bilingual page's English headline and dateline (`… Regular Press Conference on
    January 13, 2020`, `Published on Jan 13, 2020`) are page furniture, not the English of the
    opening turn: English lines above the first label that end with no sentence's end."""
    first = events[0].label_start if events else None
    for ln in body:
        if first is None or ln[0] >= first:
            break
        if kinds[ln] == "english" and ln[1] - ln[0] <= 160 and not _HEADLINE_END.search(text, ln[0], ln[1]):
            kinds[ln] = "furniture"


def _build_turns(text, body, kinds, events, english_before=False) -> tuple[list[Turn], list[tuple[int, int]]]:
    """The turns between the events, and the spans of paragraphs a page posted twice.

    Each turn's English (its own lines, or inline after its Chinese) becomes its reference.
    On a page that prints the English before the Chinese it renders (`english_before`), the
    English lines after a turn's last Chinese line are the next turn's: they move there (and
    after the last turn, whose Chinese the page lost, they are no turn's)."""
    if not body:
        return [], []
    body_end = body[-1][1]
    line_ends = [b for _, b in body]  # body lines are sorted and disjoint
    bounds = [(body[0][0], None)] + [(e.content_start, e) for e in events]
    renders = _rendered_spans(body, kinds, english_before)
    turns: list[Turn] = []
    carried: list[tuple[str, str, tuple[int, int]]] = []  # English lines the previous turn printed for this one
    for k, (start, event) in enumerate(bounds):
        end = events[k].label_start if k < len(events) else body_end
        turn = Turn(speaker=event.speaker if event else None, start=start, end=end,
                    timestamp=event.timestamp if event else None)
        references: list[tuple[str, str, tuple[int, int]]] = []  # (English, its label, the Chinese it renders)
        own = 0  # how many of them come before or with the turn's last Chinese line
        # only the lines that overlap the turn: scanning every line for every turn was quadratic
        for line in range(bisect_right(line_ends, start), len(body)):
            a, b = body[line]
            if a >= end:
                break
            lo, hi = max(a, start), min(b, end)
            if lo >= hi:
                continue
            kind = kinds[(a, b)]
            if kind == "english" and han_count(text[lo:hi]):  # its Chinese must not vanish into a reference
                kind = "text"
            if kind == "text":
                if m := _TRAILING_TS.search(text, lo, hi):
                    hi = m.start()
                chinese, english, labels_en = split_inline_english(text, lo, hi)
                for a_, b_ in chinese:
                    turn.sentences += split_sentences(text, a_, b_)
                span = (chinese[0][0], chinese[-1][1]) if chinese else (lo, lo)
                references += [(e, label, span) for e, label in zip(english, labels_en)]
                if chinese:
                    own = len(references)
            elif kind == "english":
                line, label = text[lo:hi], ""
                if event and event.speaker and event.speaker.label in ("Q", "A") and ENGLISH_QA.match(line):
                    label = event.speaker.label
                    line = line[ENGLISH_QA.match(line).end():]
                elif event and event.speaker:
                    line = strip_english_label(line, event.speaker)
                if m := ENGLISH_LABEL.match(line):
                    label = label or m.group(1)
                    line = line[m.end():]
                line = unglue(strip_narrative(line)[0])
                references.append((line, label, renders.get((a, b), (lo, lo))))
            elif kind == "timestamp" and not turn.timestamp and not turn.sentences:
                turn.timestamp = text[lo:hi].strip("[]【】()（）")
        if english_before and turn.sentences:
            references, carried = carried + references[:own], references[own:]
        elif english_before and not (event and event.speaker):  # English above the first Chinese turn
            references, carried = [], carried + references
        elif english_before:
            references, carried = carried + references, []
        turn.label_en = next((label for _, label, _ in references if label), "")
        references = [ref for ref in references if ref[0].strip()]  # not an English label alone
        turn.reference = "\n".join(r for r, _, _ in references)
        turn.reference_spans = [span for _, _, span in references]
        if turn.sentences or (event and event.speaker) or turn.reference:
            turns.append(turn)
    return _merge_same_speaker(mark_closings(turns))


def _rendered_spans(body, kinds, english_before: bool) -> dict[tuple[int, int], tuple[int, int]]:
    """For each English line, the span of the Chinese lines it renders: the run of Chinese
    lines right before its run of English lines (right after it, on a page that prints the
    English first). Bare numbers, time stamps and furniture neither start nor end a run."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    lines = [ln for ln in body if kinds[ln] in ("text", "english")]
    if english_before:
        lines = lines[::-1]
    run: tuple[int, int] | None = None
    previous = None
    for ln in lines:
        if kinds[ln] == "text":
            run = ln if previous != "text" or run is None else (min(run[0], ln[0]), max(run[1], ln[1]))
        elif run is not None:
            out[ln] = run
        previous = kinds[ln]
    return out


def _merge_same_speaker(turns: list[Turn]) -> tuple[list[Turn], list[tuple[int, int]]]:
    merged: list[Turn] = []
    repeats: list[tuple[int, int]] = []
    block: list = []  # the sentences of the last paragraph merged in
    for k, turn in enumerate(turns):
        prev = merged[-1] if merged else None
        if prev and turn.speaker and identity(prev.speaker) == identity(turn.speaker) \
                and prev.speaker.role == turn.speaker.role:
            if _repeats(block, turn.sentences, cut_off=k == len(turns) - 1):  # a page posting a paragraph twice
                repeats += [(s.start, s.end) for s in turn.sentences]
            else:
                prev.sentences += turn.sentences
                block = turn.sentences
            prev.end = turn.end
            prev.reference = "\n".join(r for r in (prev.reference, turn.reference) if r)
            prev.reference_spans = prev.reference_spans + turn.reference_spans
            prev.label_en = prev.label_en or turn.label_en
        elif prev and prev.speaker is None and turn.speaker is None:
            prev.sentences += turn.sentences
            prev.end = turn.end
        else:
            merged.append(turn)
            block = turn.sentences
    return [t for t in merged if t.sentences or t.reference or t.speaker], repeats


def _repeats(block: list, again: list, cut_off: bool) -> bool:
    """Whether `again` repeats the whole of `block` word for word, or, as the last words of
    a stored page cut off inside the repeat, its beginning (ending on a prefix of a sentence).
    A speaker restating one sentence of their last paragraph is not a repeat."""
    n = len(again)
    if not 0 < n <= len(block) or sum(han_count(s.text) for s in again) < 10:
        return False
    if not cut_off:
        return [s.text for s in again] == [s.text for s in block]
    *whole, last = again
    return all(a.text == b.text for a, b in zip(whole, block)) and block[n - 1].text.startswith(last.text)


def _segment(turns: list[Turn]) -> tuple[list[Turn], list[Segment]]:
    if not any(t.role == "reporter" for t in turns):
        return [], [Segment(question=None, answer=turns)] if turns else []
    opening: list[Turn] = []
    segments: list[Segment] = []
    for turn in turns:
        if turn.role == "reporter":
            segments.append(Segment(question=turn))
        elif segments:
            segments[-1].answer.append(turn)
        else:
            opening.append(turn)
    return opening, segments
