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
from dataclasses import dataclass, replace

from .reading import MAX_INPUT_BYTES, read_document
from .script import HAN, detect_script, han_count, to_simplified
from .sentences import split_sentences
from .speakers import TITLE_ENDINGS, classify_label, identity, looks_like_name
from .transcript import Segment, Speaker, Transcript, Turn

_TS = r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+)?\d{1,2}:\d{2}(?::\d{2})?"
_STOP = r"\s:：︰\[\]【】。？！?!，,；;“”\"「」"
_LABEL_RE = re.compile(
    rf"(?P<ts>(?:[\[【(（]\s*)?{_TS}(?:\s*[\]】)）])?[ \t\u3000]*)?"
    rf"(?:[\[【](?P<blabel>[^\]】\n:：︰]{{1,40}})[\]】][ \t\u3000]*(?P<bcolon>[:：︰])?"
    rf"|(?P<label>[^{_STOP}]{{1,40}}?(?:[ \u3000][^{_STOP}]{{1,20}})?)[ \t\u3000]*[:：︰])"
)
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
_TITLE_IN_PROSE = r"([^{stop}、]{{2,24}}(?:{titles})(?:、[^{stop}、]{{2,24}}(?:{titles}))*)\s*{name}"


@dataclass
class _Event:
    label_start: int
    content_start: int
    speaker: Speaker | None
    timestamp: str | None = None


def parse(source: str | bytes | os.PathLike, *, max_bytes: int = MAX_INPUT_BYTES) -> Transcript:
    """Parse a transcript given as text, bytes or a file path (`pathlib.Path`)."""
    doc = read_document(source, max_bytes=max_bytes)
    text = doc.text
    lines = _lines(text)
    meta, body_from = _read_header(text, lines, doc.html_title)
    body = lines[body_from:]
    kinds = {ln: _line_kind(text[ln[0] : ln[1]]) for ln in body}
    events, label_spans = _find_labels(text, [ln for ln in body if kinds[ln] == "text"])
    events += _numbered_questions(text, body, kinds, events)
    english_events, english_spans = _english_qa_labels(text, body, kinds, events)
    events += english_events
    label_spans = sorted(label_spans + english_spans)
    events.sort(key=lambda e: e.label_start)
    events = _attach_titles(text, events)
    turns = _mark_hosts(text, _build_turns(text, body, kinds, events))
    transcript = Transcript(
        text=text,
        title=meta.get("title"),
        date=meta.get("date"),
        source=meta.get("source"),
        script=detect_script(text),
        encoding=doc.encoding,
        label_spans=label_spans,
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
    while i < limit:
        line = text[lines[i][0] : lines[i][1]]
        if len(line) > 120 or (_starts_with_label(line) and not (i == 0 and _looks_like_title(line, len(lines)))):
            break
        matched = False
        if (m := _DATE_RE.search(line)) and "date" not in meta and (len(line) < 60):
            meta["date"] = _iso(m)
            matched = True
        if (m := _SOURCE_RE.search(line)) and "source" not in meta:
            meta["source"] = m.group("src").strip("。.")
            matched = True
        if _BOILERPLATE_RE.search(line):
            matched = True
        if not matched:
            if "title" in meta or i > 0 or not _looks_like_title(line, len(lines)):
                break
            meta["title"] = line
        i += 1
    return meta, i


def _looks_like_title(line: str, n_lines: int) -> bool:
    if n_lines < 2 or re.search(r"[。？！?!；]", line) or han_count(line) < 4:
        return False
    m = _LABEL_RE.match(line)
    if m and (speaker := classify_label(m.group("label") or m.group("blabel") or "")):
        # "王國慶:中國經濟仍將是…" is a headline; "主持人：…" or "記者：…" is not.
        return speaker.role == "official" and speaker.title is None and len(line) > m.end() + 4
    return True


def _starts_with_label(line: str) -> bool:
    m = _LABEL_RE.match(line)
    return bool(m and (m.group("label") or m.group("bcolon") is not None) and
                classify_label(m.group("label") or m.group("blabel")))


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
    letters = len(re.findall(r"[A-Za-z]", line))
    if letters >= 8 and han_count(line) * 20 <= letters:
        return "english"
    return "text"


def _find_labels(text: str, lines: list[tuple[int, int]]) -> tuple[list[_Event], list[tuple[int, int]]]:
    events: list[_Event] = []
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
            raw = m.group("label") if m.group("label") is not None else m.group("blabel")
            if raw is None:
                continue
            speaker = classify_label(raw, known)
            if speaker is None or _is_headline(text, m, speaker, known, pos == start, end, lines[-1][1]):
                continue
            if speaker.name:
                known.setdefault(to_simplified(speaker.name), speaker)
            ts = m.group("ts").strip(" \t\u3000[]【】()（）") if m.group("ts") else None
            label_start = m.start()  # the timestamp beside a label belongs to the label
            events.append(_Event(label_start, m.end(), speaker, ts))
            spans.append((label_start, m.end()))
            consumed = m.end()
    _labels_without_colon(text, lines, events, spans, known)
    return events, spans


_REPORTER_NO_COLON = re.compile(rf"(?P<label>[^\s{_STOP}]{{0,20}}?[ \u3000]?记者)[ \u3000]+(?=[{HAN}“\"「])")
_SPOKESPERSON_IN_PROSE = re.compile(rf"发言人([{HAN}]{{2,3}})(?=主持|表示|说|在|答|回答|就)")
# What follows a name in prose, not in a label: 汪文斌说, 汪文斌表示, 汪文斌主持…
_PROSE_AFTER_NAME = re.compile(r"[说称表指强回介主在就对向于和与等曾也还又将已并则副]|今天|日前|近日|"
                               + "|".join(TITLE_ENDINGS))


def _labels_without_colon(text, lines, events, spans, known) -> None:
    """Labels with no colon at all, at the start of a line: `凤凰卫视 记者 我们关注到…` (a
    reporter label and a space) and `汪文斌阿富汗是…` (the name of someone already labelled,
    or named spokesperson in the page, running straight into the text)."""
    labelled_lines = {ln for ln in lines if any(ln[0] <= e.label_start < ln[1] for e in events)}
    names = set(known) | {m.group(1) for m in _SPOKESPERSON_IN_PROSE.finditer(to_simplified(text))
                          if looks_like_name(m.group(1))}
    for start, end in lines:
        if (start, end) in labelled_lines:
            continue
        if (m := _REPORTER_NO_COLON.match(text, start, end)) and (speaker := classify_label(m.group("label"))) \
                and speaker.role == "reporter":
            events.append(_Event(start, m.end(), speaker))
            spans.append((start, start + len(m.group("label"))))
            continue
        head = to_simplified(text[start:start + 4])
        name = next((n for n in sorted(names, key=len, reverse=True) if head.startswith(n)), None)
        rest = text[start + len(name):end] if name else ""
        # a turn, not a headline ("李克强会见中外记者文字实录"): it says something in sentences
        if name and len(rest) > 6 and re.match(f"[{HAN}“\"「]", rest) and (re.search(r"[。？！?!]", rest)
                                                                         or len(rest) >= 40) \
                and not _PROSE_AFTER_NAME.match(to_simplified(rest[:2])):
            speaker = known.get(name) or Speaker(label=text[start:start + len(name)], role="official",
                                                 name=text[start:start + len(name)])
            events.append(_Event(start, start + len(name), _relabelled(speaker, text[start:start + len(name)])))
            spans.append((start, start + len(name)))


def _strip_english_label(line: str, speaker: Speaker) -> str:
    """`Wang Wenbin Afghanistan is…` / `Phoenix TV We noticed…`: the English label of a turn
    whose label has no colon is the speaker's name in pinyin or the outlet's English name."""
    from ..names import outlet_in_english, pinyin_name

    labels = [pinyin_name(speaker.name) if speaker.name else None,
              outlet_in_english(speaker.outlet) if speaker.outlet else None]
    for label in filter(None, labels):
        if line.startswith(label + " ") and len(line) > len(label) + 1 and line[len(label) + 1].isupper():
            return line[len(label) + 1:]
    return line


def _relabelled(speaker: Speaker, label: str) -> Speaker:
    return replace(speaker, label=label)


def _is_headline(text, m, speaker, known, at_line_start, line_end, body_end) -> bool:
    """`王國慶:中國經濟仍將是世界經濟最強勁的“發動機”` on a line of its own is a headline."""
    if speaker.role != "official" or speaker.title or not speaker.name or not at_line_start:
        return False
    if to_simplified(speaker.name) in known:
        return False
    rest = text[m.end() : line_end]
    return bool(rest.strip()) and not re.search(r"[。？！?!…；]", rest) and len(rest) <= 60 and line_end < body_end


def _numbered_questions(text, body, kinds, events) -> list[_Event]:
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
        out.append(_Event(nxt[0], nxt[0], Speaker(label=number, role="reporter")))
        if i + 2 < len(body) and kinds[body[i + 2]] == "text" and body[i + 2] not in labelled_lines:
            out.append(_Event(body[i + 2][0], body[i + 2][0], None))
    return out


_ENGLISH_QA = re.compile(r"(?P<label>Q|A)(?:[ \t]+|[ \t]*[:.：][ \t]*)(?=[A-Z“\"‘'(\d])")


def _english_qa_labels(text, body, kinds, events) -> tuple[list[_Event], list[tuple[int, int]]]:
    """`Q Iranian military admitted…` / `A We are deeply…`: English Q/A labels, colon or not.

    In such transcripts a Chinese line printed after an English one is the Chinese of the
    turn whose English follows it (`我们注意到…请问中方目的是什么?` then `Q The Ministry…`),
    so the turn starts at that Chinese line. When every such line so far introduced a
    question, one left without its English (the page cut off) is a question too."""
    body = [ln for ln in body if kinds[ln] != "timestamp"]  # a time line between turns separates nothing
    labelled = {ln for ln in body if any(ln[0] <= e.label_start < ln[1] for e in events)}
    out, spans = [], []
    questions = [ln for ln in body if kinds[ln] == "english" and (m := _ENGLISH_QA.match(text, ln[0], ln[1]))
                 and m.group("label") == "Q"]
    if len(questions) < 2:  # "A" alone is the article: only a transcript that asks "Q …" twice uses labels
        return [], []

    def introduces(i: int) -> bool:  # a Chinese line after an English one
        return (kinds[body[i]] == "text" and body[i] not in labelled
                and (i == 0 or kinds[body[i - 1]] == "english"))

    chinese_first: list[str] = []  # the labels the introducing Chinese lines turned out to belong to
    for i, ln in enumerate(body):
        m = _ENGLISH_QA.match(text, ln[0], ln[1]) if kinds[ln] == "english" and ln not in labelled else None
        if m:
            label = m.group("label")
            start = ln[0]
            if i > 0 and introduces(i - 1):
                start = body[i - 1][0]
                chinese_first.append(label)
            out.append(_Event(start, start, Speaker(label=label, role="reporter" if label == "Q" else "official")))
            spans.append((m.start(), m.end()))
        elif introduces(i) and i > 0 and chinese_first and set(chinese_first) == {"Q"} and (
                i + 1 == len(body) or not _ENGLISH_QA.match(text, body[i + 1][0], body[i + 1][1])):
            out.append(_Event(ln[0], ln[0], Speaker(label="", role="reporter")))
    return out, spans


def _attach_titles(text: str, events: list[_Event]) -> list[_Event]:
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
            found[key] = (text if same_length else simp)[m.start(1) : m.end(1)] if m else ""
        if found[key]:
            e.speaker = replace(sp, title=found[key])
    return events


def _build_turns(text, body, kinds, events) -> list[Turn]:
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
            if kind == "text":
                chinese, english = _split_inline_english(text, lo, hi)
                for a_, b_ in chinese:
                    turn.sentences += split_sentences(text, a_, b_)
                references += english
            elif kind == "english":
                line = text[lo:hi]
                if event and event.speaker and event.speaker.label in ("Q", "A") and _ENGLISH_QA.match(line):
                    line = line[_ENGLISH_QA.match(line).end():]
                elif event and event.speaker:
                    line = _strip_english_label(line, event.speaker)
                references.append(re.sub(r"^[A-Z][\w .'&-]{0,40}:\s*", "", line))
            elif kind == "timestamp" and not turn.timestamp and not turn.sentences:
                turn.timestamp = text[lo:hi].strip("[]【】()（）")
        turn.reference = "\n".join(r for r in references if r.strip())  # not an English label alone
        if turn.sentences or (event and event.speaker) or turn.reference:
            turns.append(turn)
    return _merge_same_speaker(_mark_closings(turns))


_GREETING = re.compile(r"大家(?:上午|中午|下午|晚上)?好|上午好|下午好|晚上好|早晨|早上好|女士们|先生们|朋友们|欢迎各位"
                       r"|现在(?:就)?开始")
_GIVES_FLOOR = re.compile(r"(?:请|开始)(?:大家|各位)?(?:记者)?(?:朋友)?提问|到此结束|现在开始|欢迎.{0,30}提出问题"
                          r"|下面(?:我们)?(?:先)?请.{0,12}(?:讲|回答|介绍|发言)")


_CLOSES = re.compile(r"(?:记者会|发布会|吹风会|见面会)(?:就)?(?:到此)?结束|到此结束")


def _mark_closings(turns: list[Turn]) -> list[Turn]:
    """A labelled turn that opens by closing the conference ("在今天的记者会结束前…",
    "今天的发布会到此结束") is the host's, even from the official who just answered: it is
    kept apart from that answer rather than merged into it."""
    for turn in turns:
        if turn.speaker and turn.speaker.role == "official" and turn.sentences \
                and _CLOSES.search(to_simplified(turn.sentences[0].text)):
            turn.speaker = replace(turn.speaker, role="host")
    return turns


def _mark_hosts(text: str, turns: list[Turn]) -> list[Turn]:
    """Who opens the conference is its host, whatever the label: before the first question,
    an official who greets the room when no 主持人 has spoken, or who gives the floor
    (请提问, 下面就请提问), speaks as host. Their announcements are the opening, not answers."""
    first_question = next((i for i, t in enumerate(turns) if t.role == "reporter"), len(turns))
    if first_question and first_question < len(turns) and turns[first_question - 1].speaker is None:
        turns[first_question - 1:first_question] = _split_unlabelled_host(text, turns[first_question - 1])
        first_question = next(i for i, t in enumerate(turns) if t.role == "reporter")
    has_host = any(t.role == "host" for t in turns[:first_question])
    for turn in turns[:first_question]:
        if turn.role != "official" or not turn.sentences:
            continue
        greets = not has_host and _GREETING.search(to_simplified(turn.sentences[0].text))
        closing = "".join(s.text for s in turn.sentences[-2:])  # the last may be a bare "[10:32]"
        if greets or _GIVES_FLOOR.search(to_simplified(closing)):
            turn.speaker = replace(turn.speaker, role="host")
            has_host = True
    return turns


def _split_unlabelled_host(text: str, turn: Turn) -> list[Turn]:
    """The unlabelled block before the first question often ends with the host's unlabelled
    words ("…下面欢迎记者朋友们提出问题。"): that last paragraph, when it gives the floor, is the
    host's turn; what comes before it (headline, page lead) stays unlabelled."""
    if not turn.sentences:
        return [turn]
    para_start = text.rfind("\n", turn.start, turn.sentences[-1].start) + 1 or turn.start
    spoken = [s for s in turn.sentences if s.start >= para_start]
    if not spoken or not _GIVES_FLOOR.search(to_simplified("".join(s.text for s in spoken))):
        return [turn]
    host = Turn(speaker=Speaker(label="", role="host"), sentences=spoken, start=spoken[0].start, end=turn.end)
    before = [s for s in turn.sentences if s.start < para_start]
    if not before:
        return [host]
    return [Turn(speaker=None, sentences=before, start=turn.start, end=para_start, reference=turn.reference), host]


# An English turn printed on the same line as its Chinese: "…降低基準利率等? Reuters: Last year…",
# "…外交政策呢? | Austrian Radio and Television: What…|". It starts at an English label and runs
# to the next Chinese text (the next Chinese turn may follow on the same line).
_INLINE_ENGLISH = re.compile(r"[ \t\u3000]*\|?[ \t\u3000]*(?P<label>[A-Z][A-Za-z.'’&-]*(?: [A-Za-z.'’&-]+){0,5}:)"
                             r"[ \t\u3000]?(?=[A-Z“\"‘'(\d])")
_HAN_RUN = re.compile(rf"[{HAN}]{{2,}}")


def _split_inline_english(text: str, lo: int, hi: int) -> tuple[list[tuple[int, int]], list[str]]:
    """(Chinese ranges, English texts) of one line: inline English moves to the references."""
    chinese, english = [], []
    pos = lo
    while pos < hi:
        m = next((m for m in _INLINE_ENGLISH.finditer(text, pos, hi)
                  if m.start() == lo or not re.match(r"[A-Za-z0-9]", text[m.start() - 1])), None)
        if m is None:
            break
        han = _HAN_RUN.search(text, m.end(), hi)
        end = han.start() if han else hi
        segment = text[m.end():end].strip(" \t\u3000|")
        if len(re.findall(r"[A-Za-z]+", segment)) < 3:  # "CCTV: 5G" is not an English turn
            break
        if m.start() > pos:
            chinese.append((pos, m.start()))
        english.append(segment)
        pos = end
    if pos < hi:
        chinese.append((pos, hi))
    return chinese, english


def _merge_same_speaker(turns: list[Turn]) -> list[Turn]:
    merged: list[Turn] = []
    for turn in turns:
        prev = merged[-1] if merged else None
        if prev and turn.speaker and identity(prev.speaker) == identity(turn.speaker) \
                and prev.speaker.role == turn.speaker.role:
            prev.sentences += turn.sentences
            prev.end = turn.end
            prev.reference = "\n".join(r for r in (prev.reference, turn.reference) if r)
        elif prev and prev.speaker is None and turn.speaker is None:
            prev.sentences += turn.sentences
            prev.end = turn.end
        else:
            merged.append(turn)
    return [t for t in merged if t.sentences or t.reference or t.speaker]


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
