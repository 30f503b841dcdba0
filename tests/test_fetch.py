"""Briefs from a link (issue 25): a page served by the tests' own HTTP server briefs exactly as the
same page uploaded; each way a fetch goes wrong is one line a person understands; and the
addresses of the server's own network are refused before any connection is made."""

import gzip
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qabrief.app import api_brief, build_brief, run_page
from qabrief.cli import main
from qabrief.fetch import FetchFailed, FetchPolicy, FetchRefused, fetch_page
from qabrief.fetch.addresses import literal_ip
from qabrief.render import render_markdown
from qabrief.render.json import brief_dict

from pages import page_bytes

ENGLISH = b"""<html><head><title>Foreign Ministry Spokesperson's Regular Press Conference</title></head><body>
<p>Q: What is China's comment on the trade figures released today?</p>
<p>A: China's foreign trade grew steadily in the first ten months, and we welcome cooperation with all partners.</p>
</body></html>"""
BOMB = gzip.compress(b"\0" * (60 << 20))  # 60 MiB of zeros in about 60 KiB


class Pages(BaseHTTPRequestHandler):
    """The tests' web server: each path is one way a real site behaves."""

    routes: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            return self._send(404, b"<h1>Not Found</h1>", "text/html")
        route(self)

    def _send(self, status, body, kind, **headers):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, to):
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def trickle(self):  # a body that never finishes: one byte a tenth of a second
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        try:
            for _ in range(600):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    def endless(self):  # no length, Chinese text for ever
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        try:
            while True:
                self.wfile.write("记者：请问发言人对此有何评论？\n".encode() * 200)
        except OSError:
            pass


@pytest.fixture(scope="module")
def site(seed_text):
    title, date = "国务院新闻办公室新闻发布会", "2019-01-18"
    utf8 = page_bytes(title, date, seed_text, "utf-8")
    gbk = page_bytes(title, date, seed_text, "gbk")
    Pages.routes = {
        "/seed.html": lambda h: h._send(200, utf8, "text/html; charset=utf-8"),
        "/gbk.html": lambda h: h._send(200, gbk, "text/html; charset=GBK"),
        "/english.html": lambda h: h._send(200, ENGLISH, "text/html"),
        "/hop1": lambda h: h.redirect("/hop2"),
        "/hop2": lambda h: h.redirect("/seed.html"),
        **{f"/loop{n}": lambda h, n=n: h.redirect(f"/loop{n + 1}") for n in range(10)},
        "/to-metadata": lambda h: h.redirect("http://169.254.169.254/latest/meta-data/"),
        "/slow": Pages.trickle,
        "/endless": Pages.endless,
        "/bomb": lambda h: h._send(200, BOMB, "text/html", Content_Encoding="gzip"),
        "/report.pdf": lambda h: h._send(200, b"%PDF-1.4\n" + b"x" * 2000, "application/pdf"),
        "/disguised.pdf": lambda h: h._send(200, b"%PDF-1.4\n" + b"x" * 2000, "text/html"),
        "/english-only.html": lambda h: h._send(200, ENGLISH, "text/html"),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def loopback(monkeypatch):
    """The explicit test setting: the tests' own server on 127.0.0.1 may answer (and nothing else)."""
    monkeypatch.setenv("QABRIEF_FETCH_TEST_LOOPBACK", "1")


def test_a_fetched_page_briefs_exactly_as_the_same_page_uploaded(site, loopback, tmp_path, seed_text):
    saved = tmp_path / "page.html"
    saved.write_bytes(page_bytes("国务院新闻办公室新闻发布会", "2019-01-18", seed_text, "utf-8"))
    uploaded = brief_dict(build_brief(None, str(saved), 0, "Summaries only", "none", "auto"))
    fetched = brief_dict(build_brief(f"{site}/hop1", None, 0, "Summaries only", "none", "auto"))
    origin = fetched.pop("fetched")
    assert uploaded.pop("fetched") == [] and fetched == uploaded
    assert len(uploaded["segments"]) >= 5  # the seed's Q&As, not an empty page
    assert origin == [{"url": f"{site}/hop1", "final_url": f"{site}/seed.html", "fetched_at": origin[0]["fetched_at"],
                       "role": "transcript"}]
    assert time.strptime(origin[0]["fetched_at"], "%Y-%m-%dT%H:%M:%SZ")


def test_the_header_names_the_address_and_the_time(site, loopback):
    html, _files = run_page(f"{site}/seed.html?<b>x</b>", None, 0, "Summaries only", "none", "auto")
    assert "Transcript fetched from <a href=" in html and "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    brief = build_brief(f"{site}/seed.html", None, 0, "Summaries only", "none", "auto")
    assert f"> Transcript fetched from {site}/seed.html at 20" in render_markdown(brief)


def test_a_server_declared_gbk_page_reads_as_its_upload_does(site, loopback, tmp_path, seed_text):
    saved = tmp_path / "page.html"
    saved.write_bytes(page_bytes("国务院新闻办公室新闻发布会", "2019-01-18", seed_text, "gbk"))
    uploaded = brief_dict(build_brief(None, str(saved), 0, "Summaries only", "none", "auto"))
    fetched = brief_dict(build_brief(f"{site}/gbk.html", None, 0, "Summaries only", "none", "auto"))
    fetched["fetched"] = []
    assert fetched["segments"] == uploaded["segments"] and fetched["title_zh"] == uploaded["title_zh"]
    assert "5G" in json.dumps(fetched["segments"], ensure_ascii=False)


@pytest.mark.parametrize("path, words", [
    ("/loop0", "redirects more than 5 times"),
    ("/slow", "did not send the page within 1 s (the time limit)"),
    ("/endless", "larger than the 0.5 MiB limit"),
    ("/bomb", "larger than the 0.5 MiB limit"),
    ("/report.pdf", "is not a web page or text (application/pdf)"),
    ("/disguised.pdf", "is not a web page or text (a PDF)"),
    ("/missing", "answered 404 Not Found"),
    ("/english-only.html", "no Chinese text found"),
])
def test_each_failure_is_one_line(site, loopback, monkeypatch, path, words):
    monkeypatch.setenv("QABRIEF_FETCH_TIMEOUT_S", "1")
    monkeypatch.setenv("QABRIEF_FETCH_MAX_BYTES", str(512 * 1024))
    started = time.monotonic()
    result = api_brief(site + path)
    assert time.monotonic() - started < 4  # the time limit holds for the slow body too
    assert set(result) == {"error"} and words in result["error"] and "\n" not in result["error"]
    assert "Traceback" not in result["error"]


def test_a_gzip_bomb_costs_no_more_memory_than_the_limit(site, loopback):
    """Python's own allocations while fetching (the decompressed bytes are Python objects): the
    process-wide peak RSS could not show this, as an earlier test may have set it higher."""
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(FetchFailed, match="larger than the 1.0 MiB limit"):
            fetch_page(f"{site}/bomb", FetchPolicy(max_bytes=1 << 20, test_loopback=True))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, peak  # the 1 MiB limit and a few buffers; decompressed whole it would be 60 MiB


def test_an_unreachable_host_is_one_line(loopback):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed again: nobody listens there
    result = api_brief(f"http://127.0.0.1:{port}/page.html")
    assert result["error"] == "cannot reach 127.0.0.1: connection refused"


def test_the_official_english_by_its_address_too(site, loopback):
    brief = build_brief(f"{site}/seed.html", None, 0, "Summaries only", "none", "auto",
                        english=f"{site}/english.html")
    assert brief.official_source == "official English: Foreign Ministry Spokesperson's Regular Press Conference"
    assert [f["role"] for f in brief.fetched] == ["transcript", "official English"]


REFUSED = ["http://127.0.0.1/", "http://localhost/", "http://[::1]/", "http://169.254.169.254/latest/meta-data/",
           "http://10.0.0.1/", "http://192.168.1.1/", "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/",
           "http://2130706433/", "http://0x7f.1/", "file:///etc/passwd", "ftp://ftp.example.com/pub/x.txt",
           "http://user:s3cret@news.example.com/", "http://news.example.com:8080/page.html",
           "http://rebound.example.com/page.html", "http://0177.0.0.1/", "http://[2002:a00:1::]/", "http://0/"]


@pytest.fixture
def no_connections(monkeypatch):
    """Any connection attempt fails the test."""
    tried = []

    class Guarded(socket.socket):
        def connect(self, address):
            tried.append(address)
            raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(socket, "socket", Guarded)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: tried.append(address))
    return tried


def stub_resolver(host, port):
    """A public-looking name that resolves to this machine; every other name to a public address."""
    return ["127.0.0.1"] if host == "rebound.example.com" else ["93.184.215.14"]


@pytest.mark.parametrize("url", REFUSED)
def test_the_servers_own_network_is_refused_before_any_connection(no_connections, url):
    with pytest.raises(FetchRefused, match=r"^refused ") as refused:
        fetch_page(url, FetchPolicy(), resolve=stub_resolver)
    assert no_connections == [] and "\n" not in str(refused.value) and "s3cret" not in str(refused.value)


def test_refusals_say_why(no_connections):
    def why(url):
        with pytest.raises(FetchRefused) as refused:
            fetch_page(url, FetchPolicy(), resolve=stub_resolver)
        return str(refused.value)

    assert "is a link-local address (where cloud metadata services answer)" in why("http://169.254.169.254/")
    assert "rebound.example.com resolves to 127.0.0.1, which is a loopback address" in why(
        "http://rebound.example.com/")
    assert "127.0.0.1 is a loopback address" in why("http://0x7f.1/")
    assert "only http and https" in why("file:///etc/passwd")
    assert "user name or password" in why("http://user:s3cret@news.example.com/")


def test_a_redirect_to_a_refused_address_is_refused(site, loopback):
    result = api_brief(f"{site}/to-metadata")
    assert result["error"].startswith("refused http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a "
                                      "link-local address")


def test_the_test_setting_opens_loopback_only(site, monkeypatch, no_connections):
    policy = FetchPolicy(test_loopback=True)
    with pytest.raises(FetchRefused, match="private address"):
        fetch_page("http://10.0.0.1:8000/", policy, resolve=stub_resolver)
    with pytest.raises(FetchRefused, match="port 8080 is not fetched"):
        fetch_page("http://news.example.com:8080/", policy, resolve=stub_resolver)
    assert no_connections == []


def test_operator_settings(monkeypatch, no_connections):
    monkeypatch.setenv("QABRIEF_FETCH", "off")
    assert api_brief("https://www.fmprc.gov.cn/page.html") == {
        "error": "fetching web addresses is off on this server; save the page and upload it"}
    monkeypatch.setenv("QABRIEF_FETCH", "on")
    monkeypatch.setenv("QABRIEF_FETCH_HOSTS", "www.fmprc.gov.cn,*.mfa.gov.cn")
    policy = FetchPolicy.from_env()
    with pytest.raises(FetchRefused, match=r"fetches only from www.fmprc.gov.cn, \*.mfa.gov.cn"):
        fetch_page("https://news.example.com/page.html", policy, resolve=stub_resolver)
    assert policy.host_allowed("www.fmprc.gov.cn") and policy.host_allowed("en.mfa.gov.cn")
    assert not policy.host_allowed("mfa.gov.cn.evil.com")
    monkeypatch.setenv("QABRIEF_FETCH_PORTS", "443")
    with pytest.raises(FetchRefused, match="port 80 is not fetched"):
        fetch_page("http://www.fmprc.gov.cn/", FetchPolicy.from_env(), resolve=stub_resolver)
    assert no_connections == []


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0x7f000001",
                                  "10.1", "0", "255.255.255.255", "1.2.3", "0x0a.0.0.1", "00000000012.1"])
def test_literal_addresses_read_as_the_c_library_reads_them(host):
    assert str(literal_ip(host)) == socket.inet_ntoa(socket.inet_aton(host))


@pytest.mark.parametrize("host", ["256.1.1.1", "1.2.3.4.5", "08.1.1.1", "1.2.65536", "example.0x7f", "a.1"])
def test_malformed_literal_addresses_are_refused(host):
    with pytest.raises(FetchRefused):
        literal_ip(host)


def test_batch_over_a_links_file_records_failures_per_line_and_resumes(site, loopback, tmp_path, capsys):
    links = tmp_path / "links.txt"
    links.write_text(f"# today's conferences\n{site}/seed.html\n{site}/missing\nnot an address\n"
                     f"http://10.0.0.1/secret\n{site}/hop1 {site}/english.html\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(links), "--out", str(out), "--model", "none", "--format", "json"]) == 1
    printed = capsys.readouterr().out
    assert "2 written, 0 already done, 3 failed" in printed
    assert f"FAILED links.txt line 3: {site}/missing: {site}/missing answered 404 Not Found" in printed
    assert "FAILED links.txt line 4: not a web address: 'not an address'" in printed
    assert "FAILED links.txt line 5: http://10.0.0.1/secret: refused http://10.0.0.1/secret: 10.0.0.1 is a private" \
        in printed
    manifest = json.loads((out / ".qabrief-batch.json").read_text(encoding="utf-8"))
    assert sorted(d["source"] for d in manifest["documents"].values()) == [f"{site}/hop1", f"{site}/seed.html"]
    hop = json.loads((out / "hop1.json").read_text(encoding="utf-8"))
    assert hop["official_source"].startswith("official English: ") and len(hop["fetched"]) == 2
    assert main(["batch", str(links), "--out", str(out), "--model", "none", "--format", "json"]) == 1
    assert "0 written, 2 already done, 3 failed" in capsys.readouterr().out


@pytest.mark.parametrize("pasted, words", [("file:///etc/passwd", "only http and https addresses are fetched, not file"),
                                           ("ftp://ftp.example.com/x.txt", "not ftp"),
                                           ("http://[::1]/", "::1 is a loopback address")])
def test_a_pasted_address_of_any_kind_gets_its_refusal(no_connections, pasted, words):
    result = api_brief(pasted)
    assert words in result["error"] and no_connections == []


def test_the_address_table_is_the_codes_own_not_the_running_pythons(monkeypatch, no_connections):
    """Issue 31: `ipaddress`'s flags differ between patch releases (192.0.0.192, Oracle Cloud's
    metadata address, was global before the 2024 fixes); made to lie, they change nothing."""
    import ipaddress

    for cls in (ipaddress.IPv4Address, ipaddress.IPv6Address):
        for flag in ("is_private", "is_reserved", "is_loopback", "is_link_local", "is_multicast", "is_unspecified",
                     "is_site_local"):
            monkeypatch.setattr(cls, flag, property(lambda self: False), raising=False)
        monkeypatch.setattr(cls, "is_global", property(lambda self: True))
    for url, words in [("http://192.0.0.192/opc/v2/instance/", "192.0.0.192 is an IETF protocol address (where Oracle "
                                                                "Cloud metadata answers), in 192.0.0.0/24 (RFC 6890)"),
                       ("http://[fec0::1]/", "fec0::1 is a site-local address (deprecated; a private network)"),
                       ("http://127.0.0.1/", "127.0.0.1 is a loopback address (this machine)"),
                       ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a unique-local address"),
                       ("http://0.0.0.0/", 'the "this host" address (this machine)'),
                       ("http://[2001:db8::1]/", "a documentation address, in 2001:db8::/32 (RFC 3849)"),
                       ("http://[4000::1]/", "an address outside IPv6 global unicast")]:
        with pytest.raises(FetchRefused) as refused:
            fetch_page(url, FetchPolicy(), resolve=stub_resolver)
        assert words in str(refused.value)
    from qabrief.fetch import check_address

    assert check_address("http://93.184.215.14/", FetchPolicy()).addresses == ("93.184.215.14",)
    assert check_address("http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/", FetchPolicy()).literal
    assert no_connections == []


def test_ipv6_forms_that_carry_an_ipv4_address_are_judged_by_it():
    from ipaddress import ip_address

    from qabrief.fetch import refused_kind

    assert "a link-local address" in refused_kind(ip_address("64:ff9b::a9fe:a9fe"))
    assert "written as IPv6 (a 6to4 address of 10.0.0.1)" in refused_kind(ip_address("2002:a00:1::1"))
    assert "written as IPv6 (an IPv4-mapped address of 192.0.0.192)" in refused_kind(ip_address("::ffff:192.0.0.192"))
    assert refused_kind(ip_address("::ffff:93.184.215.14")) is None  # a public address, however written
    assert refused_kind(ip_address("2002:5db8:d70e::1")) is None
    assert "a local-use NAT64 address" in refused_kind(ip_address("64:ff9b:1::5db8:d70e"))  # refused whatever it holds
    assert "a Teredo address" in refused_kind(ip_address("2001:0:4136:e378:8000:63bf:3fff:fdd2"))


@pytest.mark.parametrize("url", ["http://[::①⑥⑨｡②⑤④｡⑯⑨｡②⑤④]:80/", "http://[::1/", "http://［::1］/",
                                 "http://①⑥⑨.②⑤④.①⑥⑨.②⑤④/", "http://169.254.169.254＠news.example.com/"])
def test_unicode_and_malformed_hosts_are_refusals_on_the_page_not_unexpected_errors(no_connections, monkeypatch, url):
    """Issue 31: a bracketed host in enclosed digits raised ValueError from URL parsing, directly
    and after a redirect."""
    result = api_brief(url)  # refused before any name is looked up
    assert result["error"].startswith("refused ") and "unexpected" not in result["error"], result
    from qabrief.fetch import client

    class Redirect:
        status, reason, headers = 302, "Found", {"Location": url}

        def close(self):
            pass

    opened = []
    monkeypatch.setattr(client, "_open", lambda urllib3, target, *a: opened.append(target) or Redirect())
    with pytest.raises(FetchRefused, match=r"^refused "):
        fetch_page("http://news.example.com/", FetchPolicy(), resolve=stub_resolver)
    assert [t.host for t in opened] == ["news.example.com"] and no_connections == []


def test_a_host_that_denotes_a_number_is_judged_as_that_address_and_never_looked_up(no_connections):
    asked = []

    def resolver(host, port):
        asked.append(host)
        return ["93.184.215.14"]

    for url in ["http://１２７．０．０．１/", "http://①②⑦.⓪.⓪.①/", "http://127。0。0。1/", "http://0ｘ7ｆ.1/",
                "http://1\u00ad27.0.0.1/", "http://127.0.0.1\u200b/"]:
        with pytest.raises(FetchRefused, match=r": 127\.0\.0\.1 is a loopback address"):
            fetch_page(url, FetchPolicy(), resolve=resolver)
    with pytest.raises(FetchRefused, match="localhost is this server itself"):
        fetch_page("http://ｌｏｃａｌｈｏｓｔ/", FetchPolicy(), resolve=resolver)
    assert asked == [] and no_connections == []
    from qabrief.fetch import check_address

    assert check_address("http://bücher.example.com/", FetchPolicy(), resolver).host == "xn--bcher-kva.example.com"
    assert asked == ["xn--bcher-kva.example.com"]


@pytest.mark.parametrize("url", ["http://alice:s3cr@t-pw@news.example.com/", "http://alice:s3cr@t-pw@127.0.0.1/",
                                 "http://alice:s3cr#t-pw@news.example.com/", "http://alice:s3cr?t-pw@news.example.com/",
                                 "http://alice:s3cr\\t-pw@news.example.com/", "http://alice:s3cr＠t-pw＠news.example.com/",
                                 "http://alice:s3cr@t-pw@news.example.com:99999/", "ftp://alice:s3cr@t-pw@host/",
                                 "http://alice:s3cr@t-pw@[::1/"])
def test_no_part_of_the_user_info_is_ever_shown(no_connections, url):
    with pytest.raises(FetchRefused) as refused:
        fetch_page(url, FetchPolicy(), resolve=stub_resolver)
    message = str(refused.value)
    assert "alice" not in message and "s3cr" not in message and "t-pw" not in message, message
    assert api_brief(url)["error"] == message


def test_the_fetch_package_has_no_import_circle():
    """Issue 33: `fetch/addresses.py` and `fetch/policy.py` imported each other (one of them
    inside a function). Every import among the package's modules, at any depth, counts."""
    import ast
    from pathlib import Path

    import qabrief.fetch

    package = Path(qabrief.fetch.__file__).parent
    graph = {}
    for path in package.glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                imported.add(node.module or "__init__")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qabrief.fetch."):
                imported.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = imported - {path.stem}
    assert graph["policy"] == set() and "policy" in graph["addresses"]

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in graph.get(start, ()))

    assert [m for m in graph if m != "__init__" and reaches(m, m)] == []


@pytest.mark.parametrize("url, why", [("http://127.0.0.1:8080/", "127.0.0.1 is a loopback address"),
                                      ("http://10.0.0.1:8000/", "10.0.0.1 is a private address"),
                                      ("http://rebound.example.com:8080/", "resolves to 127.0.0.1, which is a loopback")])
def test_an_address_rule_is_named_before_the_port(no_connections, url, why):
    """Issue 32: a loopback link on another port was refused for its port, as if another port would do."""
    with pytest.raises(FetchRefused) as refused:
        fetch_page(url, FetchPolicy(), resolve=stub_resolver)
    assert why in str(refused.value) and "port" not in str(refused.value)
    assert no_connections == []
