"""Transcript text → metadata, speaker turns and Q&A segments.

The parser works in three passes over the decoded text, never rewriting it:
1. header lines (title, date, source, page boilerplate) are read off the top;
2. every body line is classified (Chinese text, English reference, bare question
   number, timestamp) and speaker labels are looked for only where a turn can start:
   the start of a line or right after a sentence end (the seed runs all its turns
   together in one paragraph);
3. the text between labels becomes turns, consecutive turns of one speaker merge,
   and turns group into segments at each reporter's question.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from .askers import mark_follow_ups, name_answers, unlabelled_replies
from .events import Event
from .hosts import mark_closings, mark_hosts
from .labels import (
    ENGLISH_QA,
    LABEL_STOP,
    english_qa_labels,
    labels_without_colon,
    split_inline_english,
    strip_english_label,
)
from .reading import MAX_INPUT_BYTES, read_document
from .script import HAN, detect_script, han_count, to_simplified
from .sentences import split_sentences
from .speakers import TITLE_ENDINGS, classify_label, identity
from .transcript import Segment, Speaker, Transcript, Turn

_TS = r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+)?\d{1,2}:\d{2}(?::\d{2})?"
_STOP = LABEL_STOP
_LABEL_RE = re.compile(
    rf"(?P<ts>(?:[\[【(（]\s*)?{_TS}(?:\s*[\]】)）])?[ \t\u3000]*)?"
    rf"(?:[\[【](?P<blabel>[^\]】\n:：︰]{{1,40}})[\]】][ \t\u3000]*"
    rf"(?P<bts>[\[【(（]\s*{_TS}\s*[\]】)）])?[ \t\u3000]*(?P<bcolon>[:：︰])?"
    rf"|(?P<label>[^{_STOP}]{{1,40}}?(?:[ \u3000][^{_STOP}]{{1,20}})?)[ \t\u3000]*[:：︰]"
    # an outlet in quotes: 台灣“中國時報”記者:
    rf"|(?P<qlabel>[^{_STOP}的]{{0,12}}[“「\"][^”」\"\n:：]{{1,15}}[”」\"][^{_STOP}的]{{0,8}}?[记記]者"
    rf"(?:[问問]|[ \u3000]?[{HAN}]{{2,4}})?)[ \t\u3000]*[:：︰])"
)
# "…。[10:19]" closing a paragraph: the page's time stamp, not a sentence
_TRAILING_TS = re.compile(rf"(?<![ \t\u3000])[ \t\u3000]*[\[【]{_TS}[\]】]$")  # not （9:30）, which is said
# a page's pager and print links: 【 第1頁 第2頁 … 】, 】 【打 印】, or a pager the stored page cuts off (… 第1)
_PAGER_LINE = re.compile(
    r"^[\s【】\[\]|｜]*(?:(?:第\s*\d+\s*[页頁]|[上下]一[页頁]|打\s*印|关闭|關閉)[\s【】\[\]|｜]*)+(?:第\s*\d*)?$"
)
_ENGLISH_LABEL = re.compile(r"^([A-Z][\w .'&-]{0,40}):\s*")  # "Wang Wenbin: …", "Xinhua News Agency: …"
_BOUNDARY_RE = re.compile(r"[。？！?!…；]+[”’」』）)】》\"']*[ \t\u3000]*")
_TS_LINE = re.compile(rf"^[\[【(（]?\s*{_TS}\s*[\]】)）]?$")
_NUMBER_LINE = re.compile(r"^[\[【(（]?(\d{1,3})[\]】)）]?[.、．]?$")
_DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?)?"
)
_SOURCE_RE = re.compile(r"(?:来源|來源|出处|出處|稿源)\s*[:：]\s*(?P<src>[^\s|｜]+)")
_BOILERPLATE_RE = re.compile(
    r"点击次数|點擊次數|点击数|點擊數|浏览次数|瀏覽次數|阅读量|閱讀量|阅读次数|閱讀次數|责任编辑|責任編輯|"
    r"字号|字號|打印本页|打印本頁|关闭窗口|關閉窗口|分享到|发布时间|發布時間|发布日期|發布日期"
)
# a title read off a dated headline ("2020年4月28日外交部发言人赵立坚主持…") is the title without the date
_DATED = re.compile(r"^\s*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*")
_TITLE_IN_PROSE = r"([^{stop}、]{{2,24}}(?:{titles})(?:、[^{stop}、]{{2,24}}(?:{titles}))*)\s*{name}"


def parse(source: str | bytes | os.PathLike, *, max_bytes: int = MAX_INPUT_BYTES,
          charset: str | None = None) -> Transcript:
    """Parse a transcript given as text, bytes or a file path (`pathlib.Path`); `charset`: the
    one a web server declared for the bytes."""
    doc = read_document(source, max_bytes=max_bytes, charset=charset)
    text = doc.text
    lines = _lines(text)
    meta, body_from = _read_header(text, lines, doc.html_title)
    body = lines[body_from:]
    kinds = {ln: _line_kind(text[ln[0] : ln[1]]) for ln in body}
    skipped = [ln for ln in body if kinds[ln] == "furniture"]
    events, label_spans = _find_labels(text, [ln for ln in body if kinds[ln] == "text"])
    events += _numbered_questions(text, body, kinds, events)
    english_events, english_spans = english_qa_labels(text, body, kinds, events)
    events += english_events
    events += unlabelled_replies(text, [ln for ln in body if kinds[ln] == "text"], events)
    label_spans = sorted(label_spans + english_spans)
    events.sort(key=lambda e: e.label_start)
    events = _attach_titles(text, events)
    turns = mark_hosts(text, _build_turns(text, body, kinds, events, skipped))
    turns = name_answers(meta.get("title"), text, mark_follow_ups(turns))
    transcript = Transcript(
        text=text,
        title=meta.get("title"),
        date=meta.get("date"),
        source=meta.get("source"),
        script=detect_script(text),
        encoding=doc.encoding,
        label_spans=label_spans,
        skipped_spans=sorted(skipped),
    )
    transcript.opening, transcript.segments = _segment(turns)
    return transcript


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
        pos += len(line) + 1
    return out


def _read_header(text: str, lines: list[tuple[int, int]], html_title: str | None = None) -> tuple[dict, int]:
    """Title, date and source from the first few lines; returns (meta, first body line).

    For an HTML page the <title> tells which line is the headline; the short lines above
    it (navigation, breadcrumbs) are page furniture, not transcript.
    """
    meta: dict = {}
    i = 0
    if html_title:
        meta["title"] = html_title
        for k, (a, b) in enumerate(lines[:15]):
            line = text[a:b]
            if han_count(line) >= 4 and (line in html_title or html_title in line):
                if all(not re.search(r"[。？！?!]", text[x:y]) and y - x <= 40 for x, y in lines[:k]):
                    meta["title"], i = line, k + 1
                break
    limit = min(len(lines), i + 8)
    furniture = i  # lines above the headline that are only page furniture
    while i < limit:
        line = text[lines[i][0] : lines[i][1]]
        if len(line) > 120 or (_starts_with_label(line) and
                               not (i == furniture and _looks_like_title(line, len(lines) - furniture))):
            break
        matched = False
        if (m := _DATE_RE.search(line)) and "date" not in meta and (len(line) < 60):
            meta["date"] = _iso(m)
            matched = True
            # "2018年5月17日外交部发言人陆慷主持例行记者会": the headline carries its date
            if "title" not in meta and i == furniture and han_count(line[:m.start()] + line[m.end():]) >= 6 \
                    and _looks_like_title(line, len(lines) - furniture):
                meta["title"] = line
        if (m := _SOURCE_RE.search(line)) and "source" not in meta:
            meta["source"] = m.group("src").strip("。.")
            matched = True
        if _PAGER_LINE.match(line) and i == furniture:  # 】 【打 印】 above the headline
            furniture += 1
            matched = True
        if _BOILERPLATE_RE.search(line):
            matched = True
        if not matched:
            if "title" in meta or i > furniture or not _looks_like_title(line, len(lines) - furniture):
                break
            meta["title"] = line
        i += 1
    return meta, i


def _looks_like_title(line: str, n_lines: int) -> bool:
    if n_lines < 2 or re.search(r"[。？！?!；]", line) or han_count(line) < 4:
        return False
    m = _LABEL_RE.match(line)
    if m and (speaker := classify_label(m.group("label") or m.group("blabel") or m.group("qlabel") or "")):
        # "王國慶:中國經濟仍將是…" is a headline; "主持人：…" or "記者：…" is not.
        return speaker.role == "official" and speaker.title is None and len(line) > m.end() + 4
    return True


def _starts_with_label(line: str) -> bool:
    m = _LABEL_RE.match(line)
    return bool(m and (m.group("label") or m.group("qlabel") or m.group("bcolon") is not None) and
                classify_label(m.group("label") or m.group("qlabel") or m.group("blabel")))


def _iso(m: re.Match) -> str:
    date = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
    if m["H"]:
        date += f"T{int(m['H']):02d}:{m['M']}:{m['S'] or '00'}"
    return date


def _line_kind(line: str) -> str:
    if _NUMBER_LINE.match(line):
        return "number"
    if _TS_LINE.match(line):
        return "timestamp"
    if _PAGER_LINE.match(line):
        return "furniture"
    letters = len(re.findall(r"[A-Za-z]", line))
    if letters >= 8 and han_count(line) * 20 <= letters:
        return "english"
    return "text"


def _find_labels(text: str, lines: list[tuple[int, int]]) -> tuple[list[Event], list[tuple[int, int]]]:
    events: list[Event] = []
    spans: list[tuple[int, int]] = []
    known: dict[str, Speaker] = {}
    for start, end in lines:
        candidates = [start] + [m.end() for m in _BOUNDARY_RE.finditer(text, start, end)]
        consumed = start
        for pos in candidates:
            if pos < consumed or pos >= end:
                continue
            m = _LABEL_RE.match(text, pos, end)
            if not m:
                continue
            raw = next((m.group(g) for g in ("label", "blabel", "qlabel") if m.group(g) is not None), None)
            if raw is None:
                continue
            speaker = classify_label(raw, known)
            if speaker is None or _is_headline(text, m, speaker, known, pos == start, end, lines[-1][1]):
                continue
            if speaker.name:
                known.setdefault(to_simplified(speaker.name), speaker)
            ts = m.group("ts") or m.group("bts")
            ts = ts.strip(" \t\u3000[]【】()（）") if ts else None
            label_start = m.start()  # the timestamp beside a label belongs to the label
            events.append(Event(label_start, m.end(), speaker, ts))
            spans.append((label_start, m.end()))
            consumed = m.end()
    labels_without_colon(text, lines, events, spans, known)
    return events, spans


def _is_headline(text, m, speaker, known, at_line_start, line_end, body_end) -> bool:
    """`王國慶:中國經濟仍將是世界經濟最強勁的“發動機”` on a line of its own is a headline."""
    if speaker.role != "official" or speaker.title or not speaker.name or not at_line_start:
        return False
    if to_simplified(speaker.name) in known:
        return False
    rest = text[m.end() : line_end]
    return bool(rest.strip()) and not re.search(r"[。？！?!…；]", rest) and len(rest) <= 60 and line_end < body_end


def _numbered_questions(text, body, kinds, events) -> list[Event]:
    """A bare `2` line before unlabelled text starts question 2; the line after it, the answer.

    Only numbers that count up from 1 are questions: a stray `11` (a page's comment count,
    a date fragment) is not."""
    starts = {e.label_start for e in events}
    labelled_lines = {ln for ln in body if any(ln[0] <= s < ln[1] for s in starts)}
    out = []
    expected = 1
    for i, ln in enumerate(body[:-1]):
        if kinds[ln] != "number":
            continue
        nxt = body[i + 1]
        if kinds[nxt] != "text" or nxt in labelled_lines:
            continue
        number = text[ln[0] : ln[1]].strip("[]【】()（）.、．")
        if int(number) != expected:
            continue
        expected += 1
        out.append(Event(nxt[0], nxt[0], Speaker(label=number, role="reporter")))
        if i + 2 < len(body) and kinds[body[i + 2]] == "text" and body[i + 2] not in labelled_lines:
            out.append(Event(body[i + 2][0], body[i + 2][0], None))
    return out


def _attach_titles(text: str, events: list[Event]) -> list[Event]:
    """Give a name seen only bare (`肖亞慶:`) the title the prose introduces it with."""
    simp = to_simplified(text)
    same_length = len(simp) == len(text)
    titles = "|".join(TITLE_ENDINGS)
    found: dict[str, str] = {}
    for e in events:
        sp = e.speaker
        if not sp or not sp.name or sp.title or sp.role != "official":
            continue
        key = to_simplified(sp.name)
        if key not in found:
            pattern = _TITLE_IN_PROSE.format(stop=_STOP, titles=titles, name=re.escape(key))
            m = re.search(pattern, simp)
            found[key] = _DATED.sub("", (text if same_length else simp)[m.start(1) : m.end(1)]) if m else ""
        if found[key]:
            e.speaker = replace(sp, title=found[key])
    return events


def _build_turns(text, body, kinds, events, skipped: list) -> list[Turn]:
    if not body:
        return []
    body_end = body[-1][1]
    bounds = [(body[0][0], None)] + [(e.content_start, e) for e in events]
    turns: list[Turn] = []
    for k, (start, event) in enumerate(bounds):
        end = events[k].label_start if k < len(events) else body_end
        turn = Turn(speaker=event.speaker if event else None, start=start, end=end,
                    timestamp=event.timestamp if event else None)
        references = []
        for a, b in body:
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
                references += english
                turn.label_en = turn.label_en or next(iter(labels_en), "")
            elif kind == "english":
                line = text[lo:hi]
                if event and event.speaker and event.speaker.label in ("Q", "A") and ENGLISH_QA.match(line):
                    turn.label_en = turn.label_en or event.speaker.label
                    line = line[ENGLISH_QA.match(line).end():]
                elif event and event.speaker:
                    line = strip_english_label(line, event.speaker)
                if m := _ENGLISH_LABEL.match(line):
                    turn.label_en = turn.label_en or m.group(1)
                    line = line[m.end():]
                references.append(line)
            elif kind == "timestamp" and not turn.timestamp and not turn.sentences:
                turn.timestamp = text[lo:hi].strip("[]【】()（）")
        turn.reference = "\n".join(r for r in references if r.strip())  # not an English label alone
        if turn.sentences or (event and event.speaker) or turn.reference:
            turns.append(turn)
    return _merge_same_speaker(mark_closings(turns), skipped)


def _merge_same_speaker(turns: list[Turn], skipped: list) -> list[Turn]:
    merged: list[Turn] = []
    block: list = []  # the sentences of the last paragraph merged in
    for k, turn in enumerate(turns):
        prev = merged[-1] if merged else None
        if prev and turn.speaker and identity(prev.speaker) == identity(turn.speaker) \
                and prev.speaker.role == turn.speaker.role:
            if _repeats(block, turn.sentences, cut_off=k == len(turns) - 1):  # a page posting a paragraph twice
                skipped += [(s.start, s.end) for s in turn.sentences]
            else:
                prev.sentences += turn.sentences
                block = turn.sentences
            prev.end = turn.end
            prev.reference = "\n".join(r for r in (prev.reference, turn.reference) if r)
            prev.label_en = prev.label_en or turn.label_en
        elif prev and prev.speaker is None and turn.speaker is None:
            prev.sentences += turn.sentences
            prev.end = turn.end
        else:
            merged.append(turn)
            block = turn.sentences
    return [t for t in merged if t.sentences or t.reference or t.speaker]


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
