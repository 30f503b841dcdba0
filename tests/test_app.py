"""The Gradio app as users and API clients meet it: a real server on the tiny model."""

import os
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qabrief.app import run_page

ROOT = Path(__file__).resolve().parent.parent
XSS = "<script>alert(1)</script>"
OUTPUT = ROOT / "test-output"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_models(tiny_fast_model_dir, tmp_path_factory):
    """The server's models folder: the fast-tokenizer model is offered there (the default is outside it)."""
    folder = tmp_path_factory.mktemp("app-models")
    shutil.copytree(tiny_fast_model_dir, folder / "tinyfast")
    return folder


@pytest.fixture(scope="module")
def server(tiny_model_dir, server_models, tmp_path_factory):
    port = _free_port()
    cache = tmp_path_factory.mktemp("app-cache")
    # QABRIEF_CACHE=off: every request really goes through the shared model
    env = {**os.environ, "QABRIEF_MODEL": str(tiny_model_dir), "GRADIO_SERVER_PORT": str(port),
           "HF_HUB_OFFLINE": "1", "QABRIEF_CACHE_DIR": str(cache), "GRADIO_ANALYTICS_ENABLED": "False",
           "QABRIEF_MODELS_DIR": str(server_models), "QABRIEF_CACHE": "off"}
    env.pop("QABRIEF_ALLOW_ANY_MODEL", None)
    log = cache / "server.log"
    with open(log, "w") as fh:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_page_handler_escapes_pasted_html():
    html, files = run_page(f"记者：请问{XSS}如何看待？\n王文涛：我们认为很好。", None, 0, "Summaries only", "none", "cpu")
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    exported = Path([f for f in files if f.endswith(".html")][0]).read_text(encoding="utf-8")
    assert XSS not in exported and "&lt;script&gt;alert(1)&lt;/script&gt;" in exported


@pytest.mark.parametrize("text, message", [("", "paste a transcript"), ("only English", "no Chinese")])
def test_page_shows_errors_as_messages(text, message):
    html, files = run_page(text, None, 0, "Summaries only", "none", "cpu")
    assert files is None and message in html and 'role="alert"' in html and "Traceback" not in html


def test_an_upload_error_names_the_file_not_the_servers_temp_path(tmp_path):
    upload = tmp_path / "gradio-temp-1234" / "transcript.txt"
    upload.parent.mkdir()
    upload.write_bytes(bytes(range(256)) * 50)
    html, files = run_page(None, str(upload), 0, "Summaries only", "none", "cpu")
    assert files is None and "transcript.txt looks like a binary file" in html and str(tmp_path) not in html


def test_page_without_model_still_serves_chinese(isolated_hub):
    html, files = run_page("记者：请问如何看待？\n王文涛：我们认为很好。", None, 0, "Summaries only",
                           "opus-mt-zh-en", "auto")
    assert "我们认为很好" in html and "qabrief models download opus-mt-zh-en" in html and len(files) == 3


def test_api_brief_returns_the_json_brief(server, seed_text):
    from gradio_client import Client

    client = Client(server, verbose=False)
    brief = client.predict(seed_text, api_name="/brief")
    assert brief["schema"] == "qabrief.brief/1"
    assert len(brief["segments"]) == 7
    # the app's default backend converted the (transformers) model once and serves it through CTranslate2
    assert brief["translated"] and brief["translator"].startswith("CTranslate2 int8 on cpu")
    assert brief["segments"][0]["answers"][0]["speaker"]["name_en"] == "Xiao Yaqing 肖亞慶"
    assert client.predict("", api_name="/brief") == {"error": "paste a transcript or its link, upload a file, or click “Load example”"}


def english_of(brief: dict) -> list[list[str | None]]:
    turns = [t for seg in brief["segments"] for t in ([seg["question"]] if seg["question"] else []) + seg["answers"]]
    return [[s["en"] for s in t["sentences"]] for t in turns]


@pytest.mark.parametrize("model", ["default", "tinyfast"])
def test_eight_simultaneous_requests_get_the_english_they_get_alone(server, server_models, seed_text, model,
                                                                   memorized_pairs):
    """Eight different transcripts (the seed's Q&As), full text, alone and then all at once."""
    from gradio_client import Client

    from qabrief.parse import parse

    name = None if model == "default" else str(server_models / model)
    seed = parse(seed_text)
    texts = []
    for seg in seed.segments + seed.segments[:1]:
        turns = "\n".join(f"{t.speaker.label}：{t.text}" for t in seg.turns)
        texts.append(turns)
    texts[7] = texts[7].replace("。", "！", 3)  # the eighth differs from the first
    client = Client(server, verbose=False)

    def ask(text):
        return Client(server, verbose=False).predict(text, 0, True, name, api_name="/brief")

    alone = [client.predict(t, 0, True, name, api_name="/brief") for t in texts]
    assert all("error" not in b for b in alone), alone[0]
    # the default model is converted to CTranslate2 once; the fast-tokenizer one cannot be (its
    # tokenizer.json counts one token more than the model's vocabulary) and says so in the header
    assert all(b["translator"].startswith("CTranslate2 int8") or "(CTranslate2 conversion failed:" in b["translator"]
               for b in alone)
    assert model == "tinyfast" or alone[0]["translator"].startswith("CTranslate2 int8")
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(ask, texts))
    assert all(s for b in alone for t in english_of(b) for s in t)  # every sentence has English
    # Each request gets its own English back. Where the tiny model's English is defined (the pairs it
    # memorised) it is identical; elsewhere it is noise, and noise may flip when a sentence is batched
    # with other requests' sentences (other padding, other rounding), so there each request's English
    # must be closest to what it got alone, and most sentences identical.
    from sacrebleu.metrics import CHRF

    flat = [[s for t in english_of(b) for s in t] for b in (*alone, *together)]
    alone_en, together_en = flat[:8], flat[8:]
    assert [len(x) for x in together_en] == [len(x) for x in alone_en]
    memorised = {en for _, en in memorized_pairs}
    assert all(t == a for got, want in zip(together_en, alone_en) for t, a in zip(got, want) if a in memorised)
    for i, got in enumerate(together_en):  # closer to its own than to any other Q&A's (the 8th repeats the 1st)
        scores = [CHRF().corpus_score(got, [want]).score for want in alone_en]
        others = [j for j in range(8) if j != i and CHRF().sentence_score(texts[j], [texts[i]]).score < 60]
        assert len(others) >= 6 and all(scores[i] > scores[j] for j in others), (i, scores)
    same = sum(t == a for got, want in zip(together_en, alone_en) for t, a in zip(got, want))
    assert same >= 0.8 * sum(map(len, alone_en)), (same, sum(map(len, alone_en)))


@pytest.mark.parametrize("model", ["/etc", "someone/unknown-model", "../../etc", "opus-mt-zh-en/../../etc"])
def test_api_refuses_models_the_server_does_not_offer(server, model):
    from gradio_client import Client

    result = Client(server, verbose=False).predict("记者：请问如何？\n王文涛：很好。", 0, False, model,
                                                   api_name="/brief")
    assert set(result) == {"error"}
    assert "is not offered on this server" in result["error"] and "QABRIEF_ALLOW_ANY_MODEL=1" in result["error"]


def test_api_turns_unexpected_errors_into_messages(monkeypatch, caplog):
    import qabrief.app as app

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(app, "build_brief", broken)
    assert app.api_brief("记者：请问如何？\n王文涛：很好。") == {
        "error": "unexpected error (ZeroDivisionError); the server log has details"}
    assert "Traceback" in caplog.text and "a bug" in caplog.text


@pytest.mark.parametrize("length", ["summary", -1, 2.5, 51, float("nan"), 10**400])
def test_api_refuses_a_length_that_is_not_a_sentence_count(length, caplog):
    import qabrief.app as app

    result = app.api_brief("记者：请问如何？\n王文涛：很好。", length, False, "none")
    assert set(result) == {"error"} and result["error"].startswith("length must be a whole number of sentences")
    assert "Traceback" not in caplog.text  # a client's mistake, not a server fault
    assert app.api_brief("记者：请问如何？\n王文涛：很好。", 3.0, False, "none")["segments"]


def test_export_files_live_under_one_pruned_folder(monkeypatch, tmp_path):
    import qabrief.app as app

    monkeypatch.setattr(app, "downloads_root", lambda: tmp_path / "downloads")
    _, first = run_page("记者：请问如何？\n王文涛：很好。", None, 0, "Summaries only", "none", "cpu")
    _, second = run_page("记者：请问如何？\n王文涛：很好。", None, 0, "Summaries only", "none", "cpu")
    folders = {Path(f).parent for f in first + second}
    assert len(folders) == 2 and all(f.parent == tmp_path / "downloads" for f in folders)
    old = Path(first[0]).parent
    os.utime(old, (time.time() - app.DOWNLOADS_KEEP_S - 10,) * 2)
    run_page("记者：请问如何？\n王文涛：很好。", None, 0, "Summaries only", "none", "cpu")
    assert not old.exists() and Path(second[0]).is_file()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (.ci/run installs it)")
def test_browser_example_brief_has_seven_bilingual_cards(server):
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        page.goto(server)
        page.click("#load-example")
        page.wait_for_function("document.querySelector('#transcript textarea').value.includes('肖亞慶')",
                               timeout=60_000)
        # record every state the brief passes through: (Q&A cards, English cells still "translating…")
        page.evaluate("""() => { window.__states = [];
            new MutationObserver(() => { const b = document.querySelector('#brief');
                if (b) window.__states.push([b.querySelectorAll('.card.qa').length,
                                             b.querySelectorAll('.pending').length]); })
            .observe(document.body, {subtree: true, childList: true, characterData: true}); }""")
        page.click("#make-brief")
        page.wait_for_selector("#brief .card.qa >> nth=6", timeout=300_000)
        page.wait_for_function("document.querySelector('#brief').querySelectorAll('.pending').length === 0 && "
                               "document.querySelectorAll('#brief .card.qa td.en').length > 7", timeout=300_000)
        states = page.evaluate("window.__states")
        # the brief streamed: all 7 Chinese cards were on the page while English was still coming
        assert any(cards == 7 and pending > 0 for cards, pending in states), states[:20]
        cards = page.locator("#brief .card.qa")
        assert cards.count() == 7
        for i in range(7):
            card = cards.nth(i)
            assert card.locator("table.bi td.zh").count() > 0 and card.locator("table.bi td.en").count() > 0
            assert card.locator("td.en").first.inner_text().strip()
        assert "肖亞慶" in page.locator("#brief").inner_text()
        page.screenshot(path=str(OUTPUT / "app-example-brief.png"), full_page=True)
        # pasted markup is shown as text, not run
        page.fill("#transcript textarea", f"记者：请问{XSS}如何？\n王文涛：很好。")
        page.click("#make-brief")
        page.wait_for_function("document.querySelector('#brief').innerText.includes('alert(1)')", timeout=120_000)
        assert XSS in page.locator("#brief").inner_text()
        assert page.locator("#brief script").count() == 0
        browser.close()


def test_malloc_arenas_are_capped_unless_the_operator_chose(monkeypatch):
    import ctypes.util

    from qabrief.app import bound_malloc_arenas

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert bound_malloc_arenas() is False  # the operator's setting stands
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    glibc = ctypes.util.find_library("c") is not None and __import__("platform").libc_ver()[0] == "glibc"
    assert bound_malloc_arenas() is glibc


def test_the_operator_can_open_the_api_to_any_local_folder(tiny_model_dir, monkeypatch):
    import qabrief.app as app

    text = "记者：请问如何？\n王文涛：我们已建成超过100万座基站。"
    refused = app.api_brief(text, 0, True, str(tiny_model_dir))
    assert "is not offered on this server" in refused["error"]
    monkeypatch.setenv("QABRIEF_ALLOW_ANY_MODEL", "1")
    monkeypatch.setattr(app, "_pool", None)
    brief = app.api_brief(text, 0, True, str(tiny_model_dir))
    assert brief["translator"].startswith(("CTranslate2", "transformers"))
    assert brief["segments"][0]["answers"][0]["sentences"][0]["en"] == "We have built more than 1 million base stations."


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (.ci/run installs it)")
def test_browser_what_the_page_says_at_phone_width(server, tmp_path):
    """Issue 32, part 3, on a 390 px phone: the Chinese cards before the model, one message for text
    and a file at once and one for a .docx, a flag's reasons without hover, every English line
    labelled, and the downloads just above the brief's header, named from the document."""
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    transcript = tmp_path / "transcript.txt"
    transcript.write_text("记者：请问如何？\n王文涛：很好。", encoding="utf-8")
    docx = tmp_path / "briefing.docx"
    docx.write_bytes(b"PK\x03\x04 not a transcript")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        # pasted text and a file at once: refused, naming both
        page.goto(server)
        assert not page.locator("#downloads").is_visible()  # no empty download box before a brief
        page.fill("#transcript textarea", "记者：请问如何？\n王文涛：很好。")
        page.set_input_files("#upload input[type=file]", str(transcript))
        # the upload goes through the server: on two cores shared with a model test it once took over 30 s
        page.wait_for_selector("#upload >> text=transcript.txt", timeout=90_000)
        page.click("#make-brief")
        page.wait_for_function("document.querySelector('#brief').innerText.includes('both pasted and uploaded')",
                               timeout=60_000)
        # a .docx: the same one message on upload and on Make brief
        page.goto(server)
        page.set_input_files("#upload input[type=file]", str(docx))
        page.wait_for_function("document.querySelector('#brief').innerText.includes('briefing.docx')", timeout=60_000)
        on_upload = page.locator("#brief [role=alert]").inner_text()
        page.click("#make-brief")  # the same message (Gradio keeps an unchanged value), and no other one
        page.wait_for_timeout(3000)  # Gradio's own file-type check answered within a second, as a toast
        assert page.locator("#brief [role=alert]").all_inner_texts() == [on_upload] and "upload a .txt" in on_upload
        assert "Invalid file type" not in page.locator("body").inner_text()
        # the example: the Chinese cards first, with the header saying the model is loading
        page.goto(server)
        page.click("#load-example")
        page.wait_for_function("document.querySelector('#transcript textarea').value.includes('肖亞慶')",
                               timeout=60_000)
        page.evaluate("""() => { window.__states = [];
            new MutationObserver(() => { const b = document.querySelector('#brief');
                if (b && b.querySelector('.card.header')) window.__states.push([
                    b.querySelectorAll('.card.qa').length, b.querySelectorAll('.card.qa td.zh').length,
                    b.querySelector('.card.header').innerText.includes('loading the model'),
                    b.querySelectorAll('.card.qa td.en .src.machine').length]); })
            .observe(document.body, {subtree: true, childList: true, characterData: true}); }""")
        page.click("#make-brief")
        page.wait_for_function("document.querySelector('#downloads') && "
                               "document.querySelector('#downloads').innerText.includes('.json')", timeout=300_000)
        states = page.evaluate("window.__states")
        first = states[0]
        assert first[0] == 7 and first[1] > 7 and first[2] and first[3] == 0, states[:5]  # Chinese, no English yet
        brief = page.locator("#brief")
        assert "loading the model" not in brief.locator(".card.header").inner_text()
        assert "Q355B" not in brief.inner_text() and "工信部:推進制造強國" in brief.inner_text()
        # every English line of the cards says where it came from (no official English here: machine)
        english = brief.locator(".card.qa .turn table.bi td.en")
        labelled = brief.locator(".card.qa .turn table.bi td.en .src")
        assert english.count() > 7 and labelled.count() == english.count()
        assert brief.locator(".card.qa .turn table.bi td.en .src.machine").count() == english.count()
        # a flag's reasons are on the page as text, without hovering
        flags = brief.locator(".flag")
        assert flags.count() > 0
        reason = brief.locator("td.en .why").first
        assert reason.is_visible() and len(reason.inner_text().strip()) > 10
        # the downloads: just above the brief's header at phone width, named from the document
        downloads = page.locator("#downloads")
        assert downloads.is_visible()
        header = brief.locator(".card.header").bounding_box()
        box = downloads.bounding_box()
        assert box["y"] < header["y"] and header["y"] - (box["y"] + box["height"]) < 100, (box, header)
        names = downloads.inner_text().replace("\n", "")
        assert all(f"2021-09-19-工信部-推進制造強國網絡強國建設-助力全面建成小康社會.{x}" in names
                   for x in ("md", "html", "json")), names
        assert "brief.md" not in names
        page.screenshot(path=str(OUTPUT / "app-phone-top.png"))
        downloads.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / "app-phone-downloads.png"))
        page.screenshot(path=str(OUTPUT / "app-phone-full.png"), full_page=True)
        browser.close()
