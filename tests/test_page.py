"""What the page says, and where (issue 32, part 3): without a server; the browser test is in test_app.py."""

from pathlib import Path

import pytest

from qabrief.app import check_upload, download_help, download_name, run_page, with_working_command
from qabrief.brief import chinese_brief
from qabrief.errors import QabriefError
from qabrief.parse.header import drop_spam_prefix
from qabrief.render import render_html, render_markdown

TEXT = "记者：请问如何看待？\n王文涛：我们认为很好。"


@pytest.fixture(scope="module")
def translator(tiny_model_dir):
    from qabrief.translate import load_translator

    return load_translator(tiny_model_dir, device="cpu", backend="transformers", cache=False)


@pytest.mark.parametrize("title, body, kept", [
    ("Q355B矩形管工信部:推進制造強國網絡強國建設", "請問工信部在這方面", "工信部:推進制造強國網絡強國建設"),
    ("5G发展新闻发布会", "请问5G发展如何", "5G发展新闻发布会"),  # the body speaks of 5G: no spam
    ("X100B钢管外交部发言人答记者问", "外交部发言人表示", "外交部发言人答记者问"),
    ("ABC外交部例行记者会", "外交部发言人", "ABC外交部例行记者会"),  # letters only: an acronym, kept
    ("Q355B矩形管某某", "完全无关的正文", "Q355B矩形管某某"),  # nothing after it the body knows: kept
])
def test_a_mirrors_spam_keyword_before_the_headline_is_dropped(title, body, kept):
    assert drop_spam_prefix(title, body) == kept


def test_pasted_text_and_an_upload_together_are_refused(tmp_path):
    upload = tmp_path / "transcript.txt"
    upload.write_text(TEXT, encoding="utf-8")
    html, files = run_page(TEXT, str(upload), 0, "Summaries only", "none", "cpu")
    assert files is None and "both pasted and uploaded (transcript.txt)" in html and 'role="alert"' in html
    _, alone = run_page(None, str(upload), 0, "Summaries only", "none", "cpu")
    assert alone  # the upload alone is briefed


def test_a_docx_gets_one_message_on_upload_and_on_make_brief(tmp_path):
    docx = tmp_path / "briefing.docx"
    docx.write_bytes(b"PK\x03\x04")
    with pytest.raises(QabriefError) as on_upload:
        check_upload(str(docx))
    html, files = run_page(None, str(docx), 0, "Summaries only", "none", "cpu")
    assert files is None and str(on_upload.value).replace("“", "&ldquo;") in html.replace("“", "&ldquo;")
    assert "briefing.docx: upload a .txt, .html, .htm, .md file" in str(on_upload.value)


def test_downloads_are_named_from_the_documents_date_and_title(monkeypatch, tmp_path):
    import qabrief.app as app

    monkeypatch.setattr(app, "downloads_root", lambda: tmp_path)
    text = "外交部发言人答记者问\n2021年9月13日\n" + TEXT
    _, files = run_page(text, None, 0, "Summaries only", "none", "cpu")
    assert sorted(Path(f).name for f in files) == [f"2021-09-13-外交部发言人答记者问.{x}" for x in ("html", "json", "md")]
    brief = chinese_brief(TEXT)
    brief.title_zh, brief.date = "a/../b:<c>", None
    assert download_name(brief) == "a-b-c"  # no path or markup characters
    brief.title_zh = None
    assert download_name(brief) == "brief"


def test_no_english_for_a_figure_says_why():
    brief = chinese_brief("记者：请问如何？\n王文涛：我们已建成超过100万座基站。今年新增了3万座。")
    figures = render_html(brief).split('<table class="figs">')[1].split("</table>")[0]
    assert figures.count("no English (Chinese-only brief)") == 2 and '<span class="none">—</span>' not in figures
    brief.translated = True
    brief.segments[0].answers[0].sentences[1].summary = False
    figures = render_html(brief).split('<table class="figs">')[1].split("</table>")[0]
    assert "— not translated" in figures and "— not in the summary (“Full text” translates it)" in figures


def test_every_english_line_says_where_it_came_from(translator):
    from qabrief.brief import make_brief

    brief = make_brief(TEXT, translator)
    html, md = render_html(brief), render_markdown(brief)
    assert html.count('class="src machine"') == sum(1 for seg in brief.segments for t in
                                                     ([seg.question] if seg.question else []) + seg.answers
                                                     for s in t.summary if s.en) > 0
    assert "_(machine)_" in md


def test_a_flags_reasons_are_text_beside_the_sentence(translator):
    from qabrief.brief import make_brief

    brief = make_brief(TEXT, translator)
    sentence = brief.segments[0].answers[0].summary[0]
    sentence.problems = ["number 100 not found in the English"]
    html = render_html(brief)
    assert '<span class="why">number 100 not found in the English</span>' in html


def test_the_speaker_line_names_the_chinese_name_once():
    brief = chinese_brief("记者：请问如何？\n外交部发言人王文斌：很好。")
    html = render_html(brief)
    who = [line for line in html.split('<div class="who">')[1:] if "王文斌" in line][0]
    assert who.count("王文斌") == 1 and '· ' not in who.split("<span")[0]


def test_the_no_model_help_gives_a_command_that_works_as_typed(monkeypatch, tmp_path):
    import qabrief.app as app

    script = tmp_path / "venv" / "bin" / "qabrief"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.setattr(app.sys, "executable", str(script.parent / "python"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("QABRIEF_PUBLIC", raising=False)
    monkeypatch.delenv("SPACE_ID", raising=False)
    assert with_working_command("run: qabrief models download quickmt-zh-en") == \
        f"run: {script} models download quickmt-zh-en"
    help_ = download_help("quickmt-zh-en")
    assert f"`{script} models download quickmt-zh-en`" in help_ and str(tmp_path / "models" / "quickmt-zh-en") in help_
    assert "No restart is needed" in help_
    monkeypatch.setenv("QABRIEF_PUBLIC", "1")  # a public page names no path of the server's
    assert download_help("quickmt-zh-en") == "" and with_working_command("run: qabrief models x") == "run: qabrief models x"
