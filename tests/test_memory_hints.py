"""Hints from the memory of official renderings (issue 34, part 3): where a sentence has no
official English, a close match in the memory is shown beside the English as a hint — the
similar Chinese, its official rendering, the date and the document it was published in — in
the page, the Markdown, the HTML file and the JSON; never as the sentence's English.

The memory is built here from made-up pairs; benchmarks/memory_hints.py measures how often a
hint shows on a held-apart year of the ministry's conferences, and how often it is right."""

import json
import sqlite3
from html import escape
from pathlib import Path

from qabrief.app import run_page
from qabrief.brief import chinese_brief
from qabrief.official import HINT_SIMILARITY, TranslationMemory
from qabrief.official.memory import Learned, Origin
from qabrief.render import render_html, render_json, render_markdown

STORED = "我们注意到美方宣布将对更多中国企业实施出口管制措施。"
STORED_EN = "We have noted that the US announced export controls on more Chinese companies."
CLOSE = "我们注意到美方宣布将对更多中国实体实施出口管制措施。"  # another conference, one word changed
DATE, TITLE = "2031-04-02", "Spokesperson's Regular Press Conference on April 2, 2031"
URL = "https://example.org/press/20310402.html"
OTHER = ("中方坚决反对任何形式的单边制裁和长臂管辖行为。", "China firmly opposes unilateral sanctions and long-arm jurisdiction.")
TEXT = f"记者：美方宣布新的出口管制措施，中方有何评论？\n答：{CLOSE}这不利于两国的正常经贸往来。"


def memory_with(folder: Path, pairs=((STORED, STORED_EN), OTHER), **origin) -> TranslationMemory:
    memory = TranslationMemory(folder / "memory.sqlite3")
    origin = origin or {"date": DATE, "title": TITLE, "url": URL}
    memory.add(Learned(pairs, ("zh-doc", "en-doc"), Origin(**origin)), "made-up conferences")
    return memory


def answer(brief, n=0):
    return brief.segments[0].answers[0].sentences[n]


def test_a_close_sentence_gets_a_hint_with_its_date_and_source_never_as_its_english(tmp_path):
    brief = chinese_brief(TEXT, memory=memory_with(tmp_path))
    close, unrelated = answer(brief, 0), answer(brief, 1)
    assert close.en is None and close.en_source is None  # a hint is never the sentence's English
    assert close.hint["zh"] == STORED and close.hint["en"] == STORED_EN
    assert (close.hint["date"], close.hint["title"], close.hint["url"]) == (DATE, TITLE, URL)
    assert HINT_SIMILARITY <= close.hint["similarity"] < 1
    assert unrelated.hint is None  # nothing like it stored: no hint


def test_the_hint_shows_with_date_and_source_in_the_page_markdown_html_and_json(tmp_path, monkeypatch):
    memory_with(tmp_path / "memory")  # the conftest's QABRIEF_MEMORY_DIR: the page's memory
    page, files = run_page(TEXT, None, 0, "Summaries only", "none", "cpu")
    exported = {Path(f).suffix: Path(f).read_text(encoding="utf-8") for f in files}
    for html in (page, exported[".html"]):
        assert "<b>Hint</b> (not a translation of this sentence): a similar sentence, " in html
        assert f'was rendered officially as “<span lang="en">{STORED_EN}</span>” — {DATE}, ' in html
        assert f'<a href="{URL}" rel="noopener noreferrer" target="_blank">{escape(TITLE)}</a>' in html
    md = exported[".md"]
    assert (f"_**Hint** (not a translation of this sentence): a similar sentence, {STORED}, was rendered officially "
            f"as “{STORED_EN}” — {DATE}, {TITLE}, {URL}_") in md
    sentence = json.loads(exported[".json"])["segments"][0]["answers"][0]["sentences"][0]
    assert sentence["en"] is None and sentence["hint"]["en"] == STORED_EN
    assert (sentence["hint"]["date"], sentence["hint"]["title"], sentence["hint"]["url"]) == (DATE, TITLE, URL)
    # the JSON the library renders is the one downloaded
    assert json.loads(render_json(chinese_brief(TEXT, memory=memory_with(tmp_path / "memory"))))["segments"] == \
        json.loads(exported[".json"])["segments"]


def test_a_sentence_linked_to_official_english_shows_no_hint(tmp_path):
    memory = memory_with(tmp_path)
    english = ("Q: The US announced new export controls. What is your comment?\n"
               "A: We noted the US announcement of export controls on more Chinese entities. "
               "This does not serve normal economic and trade exchanges between the two countries.")
    linked = chinese_brief(TEXT, english=english, memory=memory)
    close = answer(linked)
    assert close.official["shown"] and close.en_source == "official"  # the test needs a confident link
    assert close.hint is None
    assert "Hint" not in render_html(linked) and "Hint" not in render_markdown(linked)
    assert answer(chinese_brief(TEXT, memory=memory)).hint  # the same sentence, with no official English: a hint


def test_hint_text_from_the_memory_is_escaped(tmp_path):
    evil_zh = STORED
    evil_en = 'We noted <script>alert("x")</script> & more | [link](http://x) `code`'
    memory = memory_with(tmp_path, pairs=[(evil_zh, evil_en)], date=DATE, title="<img src=x onerror=alert(1)>",
                         url='javascript:alert("x")')
    brief = chinese_brief(TEXT, memory=memory)
    assert answer(brief).hint["en"] == evil_en
    html = render_html(brief)
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in html  # an address that is not http(s) is never a link, nor shown
    md = render_markdown(brief)
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\| \\[link\\](http://x) \\`code\\`" in md
    assert json.loads(render_json(brief))["segments"][0]["answers"][0]["sentences"][0]["hint"]["en"] == evil_en


def test_an_unusable_memory_still_gives_the_brief_without_hints_and_says_so(tmp_path, monkeypatch):
    assert answer(chinese_brief(TEXT, memory=memory_with(tmp_path / "memory"))).hint  # usable: a hint
    for part in (tmp_path / "memory").glob("memory.sqlite3*"):  # then made unusable: the file corrupt
        part.unlink()
    (tmp_path / "memory" / "memory.sqlite3").write_bytes(b"this is not an SQLite database" * 100)
    page, files = run_page(TEXT, None, 0, "Summaries only", "none", "cpu")
    assert CLOSE in page and "Hint" not in page
    assert "memory of official renderings is unavailable" in page
    brief = chinese_brief(TEXT, memory=TranslationMemory(tmp_path / "memory" / "memory.sqlite3"))
    assert answer(brief).hint is None and answer(brief).zh == CLOSE
    assert brief.notice.startswith("The memory of official renderings is unavailable (DatabaseError")


def test_a_memory_from_before_dates_opens_and_its_hints_name_the_source(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE pairs (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, zh TEXT NOT NULL, "
                       "en TEXT NOT NULL, source TEXT NOT NULL, added TEXT NOT NULL);")
    from qabrief.official import normalise

    conn.execute("INSERT INTO pairs (key, zh, en, source, added) VALUES (?, ?, ?, 'old import', '2030-01-01')",
                 (normalise(STORED), STORED, STORED_EN))
    conn.commit()
    conn.close()
    memory = TranslationMemory(path)
    memory.add([OTHER], "new")  # the bigram index of the old pair is missing, so look it up exactly
    match = memory.lookup(STORED)
    assert match.en == STORED_EN and (match.date, match.title, match.url) == ("", "", "")
    brief = chinese_brief(f"记者：请问？\n答：{STORED}", memory=memory)
    assert "stored 2030-01-01, old import" in render_html(brief)


def test_a_column_another_process_added_first_is_no_error(tmp_path):
    """Two processes opening a memory from before dates at once both try to add its columns."""
    from qabrief.official.memory import _add_column

    conn = sqlite3.connect(tmp_path / "old.sqlite3")
    conn.execute("CREATE TABLE pairs (id INTEGER PRIMARY KEY, key TEXT)")
    _add_column(conn, "dated", "TEXT NOT NULL DEFAULT ''")
    _add_column(conn, "dated", "TEXT NOT NULL DEFAULT ''")  # the second process: already there
    assert [row[1] for row in conn.execute("PRAGMA table_info(pairs)")] == ["id", "key", "dated"]
