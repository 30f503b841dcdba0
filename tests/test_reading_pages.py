"""Transcripts as saved from the web: each corpus transcript inside page chrome (tests/pages.py),
in UTF-8, GBK and Big5. The brief must hold the transcript's turns and none of the chrome."""

import pytest

from qabrief import parse

from corpus import TRANSCRIPTS, corpus_names, expected_turns, score_turns, transcript_text
from pages import CHROME_STRINGS, page_bytes

NAMES = corpus_names()


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "big5"])
@pytest.mark.parametrize("name", NAMES)
def test_page_gives_the_transcripts_turns_without_the_chrome(tmp_path, name, encoding):
    text = transcript_text(TRANSCRIPTS / f"{name}.txt")
    plain = parse(text)
    headline = plain.title or "新闻发布会实录"
    path = tmp_path / "page.html"
    path.write_bytes(page_bytes(headline, "2024-03-08", text, encoding))
    page = parse(path)
    assert page.encoding in ({"utf-8"} if encoding == "utf-8" else {"gbk", "gb18030"} if encoding == "gbk"
                             else {"big5"})
    assert page.title == headline and page.date == "2024-03-08"
    from_page, from_text = score_turns(name, page), score_turns(name, plain)
    # The page keeps every labelled turn the plain transcript gives. Slack: an unlabelled turn
    # can start elsewhere once the page's own headline sits above the transcript's title line,
    # and the 2-character last turn of a cut-off page (22) may go with the chrome after it.
    slack = sum(1 for t in expected_turns(name) if not t["label"]) + (1 if name.startswith("22_") else 0)
    assert from_page.matched >= from_text.matched - slack
    assert from_page.predicted - from_page.matched <= from_text.predicted - from_text.matched  # nothing invented
    turns = "".join(s.text for t in page.turns for s in t.sentences)
    assert [c for c in CHROME_STRINGS if c in turns] == []
