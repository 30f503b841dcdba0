"""The Gradio app as users and API clients meet it: a real server on the tiny model."""

import os
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
def server(tiny_model_dir, tmp_path_factory):
    port = _free_port()
    cache = tmp_path_factory.mktemp("app-cache")
    env = {**os.environ, "QABRIEF_MODEL": str(tiny_model_dir), "GRADIO_SERVER_PORT": str(port),
           "HF_HUB_OFFLINE": "1", "QABRIEF_CACHE_DIR": str(cache), "GRADIO_ANALYTICS_ENABLED": "False",
           "QABRIEF_MODELS_DIR": str(cache / "models")}
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


def test_page_without_model_still_serves_chinese(isolated_hub):
    html, files = run_page("记者：请问如何看待？\n王文涛：我们认为很好。", None, 0, "Summaries only",
                           "opus-mt-zh-en", "cpu")
    assert "我们认为很好" in html and "qabrief models download opus-mt-zh-en" in html and len(files) == 3


def test_api_brief_returns_the_json_brief(server, seed_text):
    from gradio_client import Client

    client = Client(server, verbose=False)
    brief = client.predict(seed_text, api_name="/brief")
    assert brief["schema"] == "qabrief.brief/1"
    assert len(brief["segments"]) == 7
    assert brief["translated"] and brief["translator"].startswith("transformers")
    assert brief["segments"][0]["answers"][0]["speaker"]["name_en"] == "Xiao Yaqing 肖亞慶"
    assert client.predict("", api_name="/brief") == {"error": "paste a transcript, upload a file, or click “Load example”"}


def test_eight_simultaneous_requests_all_complete(server):
    from gradio_client import Client

    texts = [f"记者：请问第{i}个问题是什么？\n王文涛：我们已建成超过100万座基站。谢谢你的提问。" for i in range(8)]

    def ask(text):
        return Client(server, verbose=False).predict(text, api_name="/brief")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, texts))
    assert [len(r["segments"]) for r in results] == [1] * 8
    assert all(r["segments"][0]["answers"][0]["sentences"][0]["zh"] == "我们已建成超过100万座基站。" for r in results)


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
        page.wait_for_function("document.querySelector('#transcript textarea').value.includes('肖亞慶')")
        page.click("#make-brief")
        page.wait_for_selector("#brief .card.qa >> nth=6", timeout=300_000)
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
