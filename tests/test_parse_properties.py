"""Parsing never raises on arbitrary text and never loses a Chinese character: each is in a
sentence, a label, the header, or a span it left out on purpose (page furniture, a repeat)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qabrief import QabriefError, parse
from qabrief.parse.script import han_chars

PIECES = ["记者：", "問:", "答：", "主持人：", "肖亞慶: ", "田玉龍：", "【李克强】", "[10:05]", "2\n",
          "新華社記者:", "。", "？", "！", "\n", " ", "“", "”", ":", "：", "一是", "謝謝。", "2.2倍",
          "www.example.com", "Q:", "Wang Wenbin: We said so.\n", "工業和信息化部部長", "<p>", "點擊次數:",
          "\n【 第1頁 第2頁 】\n", "【打 印】", "\n[田玉龍] [10:05]:兩岸同胞是一家人我們辦實事。\n", "台灣“中國時報”記者:"]
chinese_like = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40).map("".join)


def _accounted(t):
    pieces = sorted([(s.start, s.end) for x in t.turns for s in x.sentences] + t.label_spans + t.skipped_spans)
    return "".join(han_chars(t.text[a:b]) for a, b in pieces)


@settings(max_examples=int(__import__("os").environ.get("QABRIEF_HYPOTHESIS_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chinese_like)
def test_never_raises_and_never_loses_text(text):
    try:
        t = parse(text)
    except QabriefError:
        return  # empty / no Chinese: a clear error is the right answer
    accounted = _accounted(t)
    # the header (title/date/source lines) is the only text allowed outside turns and labels
    body_han = han_chars(t.text)
    assert body_han.endswith(accounted)
    header = body_han[: len(body_han) - len(accounted)]
    header_lines = [han_chars(line) for line in t.text.split("\n") if line.strip()][:8]
    assert header in ["".join(header_lines[:k]) for k in range(len(header_lines) + 1)]
    for turn in t.turns:
        for s in turn.sentences:
            assert t.text[s.start:s.end] == s.text


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_bytes_never_raise_anything_but_a_clear_error(data):
    try:
        parse(data)
    except QabriefError as exc:
        assert str(exc)


# Inserting what mirror sites and live pages add never changes who speaks when.
from qabrief.parse.speakers import identity  # noqa: E402

from corpus import TRANSCRIPTS, corpus_names, transcript_text  # noqa: E402

CORPUS_TEXTS = {name: transcript_text(TRANSCRIPTS / f"{name}.txt") for name in corpus_names()}


def _speakers(text):
    return [(t.role, identity(t.speaker)) for t in parse(text).turns if t.speaker]


def _gloss(ch: str, style: int) -> str:
    from pypinyin import Style, lazy_pinyin

    from qabrief.parse.script import to_simplified

    if style == 2 and to_simplified(ch) != ch:
        return f"({to_simplified(ch)})"
    return f"({lazy_pinyin(ch, style=Style.TONE if style == 0 else Style.NORMAL)[0]})"


@st.composite
def corpus_with_insertions(draw):
    name = draw(st.sampled_from(sorted(CORPUS_TEXTS)))
    text = CORPUS_TEXTS[name]
    han_positions = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    glossed = sorted(draw(st.sets(st.sampled_from(han_positions), max_size=25)))
    styles = draw(st.lists(st.integers(0, 2), min_size=len(glossed), max_size=len(glossed)))
    lines = text.split("\n")
    stamps = sorted(draw(st.sets(st.integers(1, len(lines)), max_size=6)))
    stamp_text = draw(st.sampled_from(["2024-03-08 10:49:41", "[10:29]", "10:49", "2015-11-05 09:45:00"]))
    # glosses first (positions index the original text), from the end so earlier positions hold
    for pos, style in sorted(zip(glossed, styles), reverse=True):
        text = text[: pos + 1] + _gloss(text[pos], style) + text[pos + 1:]
    lines = text.split("\n")
    for at in reversed(stamps):
        lines.insert(at, stamp_text)
    return name, "\n".join(lines)


@settings(max_examples=int(__import__("os").environ.get("QABRIEF_HYPOTHESIS_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(corpus_with_insertions())
def test_mirror_artefacts_and_timestamps_never_change_the_speakers(case):
    name, changed = case
    assert _speakers(changed) == _speakers(CORPUS_TEXTS[name])
