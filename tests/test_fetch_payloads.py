"""Links checked against the kinds of payload that SSRF cheat sheets list (issue 31), each
written here by category, each tried as the address given and as the target of a redirect
from a public page, with no network: every socket connection, name lookup and fetch other
than the first public hop fails the test, and a stub resolver answers for host names.

What must hold for every payload: a refusal (`FetchRefused`, never another error), before
any connection to anything but the public test host, in one line that shows no part of a
user name or password; a host that denotes a number is judged as that address and never
looked up. Counts per category: `test_the_payload_counts` prints them.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qabrief.fetch import FetchPolicy, FetchRefused, fetch_page
from qabrief.fetch import client as fetch_client

PUBLIC_HOST = "news.example.com"
PUBLIC_ADDRESS = "93.184.215.14"
SECRET = "Pw0rdX"  # a password marker: it must never appear in a message

# the addresses a payload aims at: loopback, cloud metadata (AWS/GCP/Azure, Oracle, Alibaba),
# private, shared, and "this network"
TARGETS = ["127.0.0.1", "169.254.169.254", "192.0.0.192", "100.100.100.200", "10.0.0.1", "172.16.0.1",
           "192.168.1.1", "0.0.0.0"]

# names a stub DNS answers with internal addresses (kinds the cheat sheets list: wildcard DNS
# services, cloud metadata names, names that resolve to loopback, mixed answers, IPv6 answers)
RESOLVES = {
    "localtest.me": ["127.0.0.1"],
    "127.0.0.1.nip.io": ["127.0.0.1"],
    "169.254.169.254.nip.io": ["169.254.169.254"],
    "0xa9fea9fe.sslip.io": ["169.254.169.254"],
    "metadata.google.internal": ["169.254.169.254"],
    "metadata": ["169.254.169.254"],
    "instance-data.ec2.internal": ["169.254.169.254"],
    "oracle-metadata.example.com": ["192.0.0.192"],
    "alibaba-metadata.example.com": ["100.100.100.200"],
    "intranet.example.com": ["10.1.2.3"],
    "router.example.com": ["192.168.0.1"],
    "mixed.example.com": [PUBLIC_ADDRESS, "10.0.0.1"],  # one private answer among public ones
    "mixed-last.example.com": [PUBLIC_ADDRESS, "93.184.215.15", "127.0.0.1"],
    "v6-loopback.example.com": ["::1"],
    "v6-mapped.example.com": ["::ffff:127.0.0.1"],
    "v6-ula.example.com": ["fd00:ec2::254"],  # AWS's IPv6 metadata address
    "v6-linklocal.example.com": ["fe80::a9fe:a9fe%eth0"],
    "v6-sitelocal.example.com": ["fec0::1"],
    "v6-nat64.example.com": ["64:ff9b::a9fe:a9fe"],
    "v6-6to4.example.com": ["2002:7f00:1::1"],
    "unspecified.example.com": ["0.0.0.0"],
    "broadcast.example.com": ["255.255.255.255"],
    "multicast.example.com": ["224.0.0.251"],
    "benchmark.example.com": ["198.18.0.1"],
    "rebind.example.com": ["127.0.0.1"],  # as if it had answered publicly a moment before
    "xn--bcher-kva.example.com": ["10.0.0.2"],  # an IDN, reached by its Unicode form
    "shared.example.com": ["100.64.0.1"],
}


@dataclass(frozen=True)
class Payload:
    category: str
    url: str
    resolves: bool = False  # a host name the stub resolver is asked about (category "DNS names")
    relative_in_redirect: bool = False  # as a Location, a path on the public host (no host of its own)

    def __str__(self):
        return self.url


def _dotted(ip: str) -> list[int]:
    return [int(p) for p in ip.split(".")]


def ipv4_encodings() -> list[str]:
    """The forms inet_aton and browsers read as an IPv4 address."""
    forms = []
    for ip in TARGETS:
        a, b, c, d = _dotted(ip)
        n = int(ipaddress.IPv4Address(ip))
        forms += [
            ip,
            str(n),  # dotless decimal
            hex(n),  # dotless hex
            hex(n).upper().replace("X", "x"),
            "0" + oct(n)[2:],  # dotless octal
            f"0x{a:02x}.0x{b:02x}.0x{c:02x}.0x{d:02x}",  # dotted hex
            f"0{a:o}.0{b:o}.0{c:o}.0{d:o}",  # dotted octal
            f"0000{a:o}.{b}.{c}.{d}",  # padded octal
            f"{a}.{b}.{(c << 8) | d}",  # a.b.c (last part 16 bits)
            f"{a}.{(b << 16) | (c << 8) | d}",  # a.b (last part 24 bits)
            f"0x{a:x}.{b}.0{c:o}.{d}",  # mixed hex, decimal, octal
            f"0X{a:X}.{(b << 16) | (c << 8) | d:#x}",  # upper-case prefix, hex 24-bit tail
            f"{ip}.",  # trailing dot
        ]
    forms += ["0", "0x0", "00", "127.1", "127.0.1", "0x7f.1", "017700000001", "0x7F000001", "127.000.000.001",
              "2852039166", "0xA9FEA9FE", "025177524776", "169.254.43518", "169.16689662", "0251.0376.0251.0376"]
    return [f"http://{form}/" for form in dict.fromkeys(forms)]


def ipv6_forms() -> list[str]:
    hosts = [
        "::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001", "::0:1", "::", "::0",
        "::ffff:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:127.0.0.1", "::FFFF:7F00:0001",
        "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "::ffff:192.0.0.192", "::ffff:10.0.0.1", "::ffff:0.0.0.0",
        "::127.0.0.1", "::169.254.169.254", "::7f00:1",  # IPv4-compatible (deprecated)
        "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::10.0.0.1", "64:ff9b:1::a9fe:a9fe",  # NAT64
        "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::", "2002:c000:c0::",  # 6to4 of internal addresses
        "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "fe80::1", "FE80::a9fe:a9fe", "fe80::1%25eth0", "fe80::1%eth0", "fe80::1%251",  # link-local, zone ids
        "fec0::1", "fec0:0:0:ffff::1", "feff::1",  # site-local (deprecated), and the rest of fec0::/10
        "fc00::1", "fd00::1", "fd00:ec2::254",  # unique-local (AWS's IPv6 metadata)
        "ff02::1", "ff05::2", "100::1", "2001:db8::1", "3fff::1", "5f00::1", "2001:2::1", "2620:4f:8000::1",
        "4000::1", "::2",  # outside global unicast
    ]
    urls = [f"http://[{h}]/" for h in hosts]
    urls += ["http://[::1]:80/", "http://[::ffff:127.0.0.1]:443/", "https://[::1]/", "http://[0::1]/"]
    return urls


ENCLOSED = {str(d): c for d, c in zip(range(10), "⓪①②③④⑤⑥⑦⑧⑨")}
DOUBLE_ENCLOSED = {str(n): chr(0x2460 + n - 1) for n in range(10, 21)}  # ⑩ … ⑳
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def _enclose(ip: str, digits: dict, dot: str = ".") -> str:
    return dot.join("".join(digits[ch] for ch in part) for part in ip.split("."))


def enclosed_alphanumerics() -> list[str]:
    hosts = []
    for ip in ["127.0.0.1", "169.254.169.254", "10.0.0.1", "192.168.1.1", "192.0.0.192"]:
        hosts += [_enclose(ip, ENCLOSED), _enclose(ip, ENCLOSED, "｡"), _enclose(ip, ENCLOSED, "。")]
    hosts += ["①⑥⑨.②⑤④.⑯⑨.②⑤④", "⑩.⓪.⓪.①", "①②⑦.①", "②①③⑳⑦⓪⑥④③③",  # ⑳ is 20: 2130706433
              "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ", "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ.", "①②⑦.⓪.⓪.①:⑧⓪",
              "⒈⒉⒎.0.0.1", "⑴⑵⑺.0.0.1"]  # digit-with-full-stop and parenthesised forms
    urls = [f"http://{h}/" for h in hosts]
    urls += ["http://[::①⑥⑨｡②⑤④｡⑯⑨｡②⑤④]:80/", "http://[::①]/", "http://[::ⓕⓕⓕⓕ:①②⑦.⓪.⓪.①]/",
             "http://[ⓕⓔ⑧⓪::①]/", "http://[::ⓕⓕⓕⓕ:①⑥⑨.②⑤④.①⑥⑨.②⑤④]/"]
    return urls


def full_width() -> list[str]:
    hosts = []
    for ip in ["127.0.0.1", "169.254.169.254", "10.0.0.1", "192.0.0.192", "100.100.100.200"]:
        hosts += [_enclose(ip, FULL_WIDTH), _enclose(ip, FULL_WIDTH, "．"), _enclose(ip, FULL_WIDTH, "｡"),
                  _enclose(ip, FULL_WIDTH, "。"), ip.replace(".", "．")]
    hosts += ["ｌｏｃａｌｈｏｓｔ", "ＬＯＣＡＬＨＯＳＴ", "０ｘ７ｆ．１", "０ｘ７Ｆ０００００１", "２１３０７０６４３３",
              "１２７．１", "127.0.0.1：80", "１２７．０．０．１：８０"]
    urls = [f"http://{h}/" for h in hosts]
    urls += ["http://［::1］/", "http://[：：1]/", "http://[::ｆｆｆｆ:１２７．０．０．１]/", "ｈｔｔｐ://127.0.0.1/"]
    return urls


def percent_encoding() -> list[str]:
    return [
        "http://%31%32%37.0.0.1/", "http://%31%32%37%2e%30%2e%30%2e%31/", "http://127.0.0.%31/",
        "http://%6c%6f%63%61%6c%68%6f%73%74/", "http://loc%61lhost/", "http://%5b::1%5d/", "http://[%3a%3a1]/",
        "http://169.254.169.254%2f.example.com/", "http://169.254.169.254%23.example.com/",
        "http://%25%37%66.0.0.1/", "http://0x7f%2e0%2e0%2e1/", "http://127.0.0.1%00.example.com/",
        "http://127%2E0%2E0%2E1/", "http://%EF%BC%91%EF%BC%92%EF%BC%97.0.0.1/",  # full-width 127, UTF-8 encoded
    ]


def userinfo_confusion() -> list[str]:
    """User info, fragments, backslashes and queries placed so that parsers disagree on the host;
    every one carries the password marker, which no message may show."""
    inner = ["127.0.0.1", "169.254.169.254", "[::1]", "localhost"]
    urls = []
    for host in inner:
        urls += [
            f"http://{PUBLIC_HOST}:{SECRET}@{host}/",
            f"http://user:{SECRET}@{host}/",
            f"http://user:{SECRET}@t-pw@{host}/",  # two @ in the user info
            f"http://user:{SECRET}@{PUBLIC_HOST}@{host}/",
            f"http://{host}#{SECRET}@{PUBLIC_HOST}/",
            f"http://{host}?{SECRET}@{PUBLIC_HOST}/",
            f"http://{PUBLIC_HOST}\\{SECRET}@{host}/",
            f"http://{host}\\{SECRET}@{PUBLIC_HOST}/",
            f"http://{host}:80\\{SECRET}@@{PUBLIC_HOST}:80/",
            f"http://{SECRET}＠{host}/",  # full-width @
            f"http://{SECRET}﹫{host}/",  # small @
            f"http://{PUBLIC_HOST}；{SECRET}@{host}/",
        ]
    urls += [f"http://:{SECRET}@127.0.0.1/", "http://@127.0.0.1/", f"http://{SECRET}%40{PUBLIC_HOST}@127.0.0.1/",
             f"http://user:{SECRET}@{PUBLIC_HOST}/", f"https://{SECRET}@{PUBLIC_HOST}:443/",
             f"http://user:{SECRET}#@{PUBLIC_HOST}/", f"http://user:{SECRET}?@{PUBLIC_HOST}/"]
    return urls


# as a redirect's Location these are paths on the public host (no host of their own), as browsers read them too
RELATIVE_AS_LOCATION = {"http:\\\\127.0.0.1\\", "http:/127.0.0.1/", "http:127.0.0.1", "ｈｔｔｐ://127.0.0.1/"}


def schemes_and_shapes() -> list[str]:
    """Other schemes, and http addresses without a usable host or port."""
    return [
        "file:///etc/passwd", "file://localhost/etc/passwd", "gopher://127.0.0.1:70/_x",
        "dict://127.0.0.1:11211/stat", "ftp://127.0.0.1/", "ldap://127.0.0.1/",
        "jar:http://127.0.0.1!/", "netdoc:///etc/passwd", "data:text/html,x",
        "javascript:alert(1)", "HTTP://127.0.0.1/", "hTtPs://[::1]/",
        "http:\\\\127.0.0.1\\", "http:/127.0.0.1/", "http:127.0.0.1",
        "http://127.0.0.1:65536/", "http://127.0.0.1:0/", "http://127.0.0.1:-80/",
        "http://127.0.0.1:8o/", "http://127.0.0.1:+80/", "http://127.0.0.1:8_0/",
        "http://[::1/", "http://::1]/", "http://[::1]]/", "http://[[::1]]/",
        "http://[127.0.0.1]/", "http://[v1.fe80::1]/", "http://[::1]127.0.0.1/",
        "http:///127.0.0.1/", "http://./", "http://../",
        "http://127.0.0.1:80:80/", "http://127.0.0.1\t/", "http://127.0.0.1\u3000/",
        "http://127.0.0.1\u2028/", "http://\u202e1.0.0.721/",
    ]


def dns_names() -> list[str]:
    urls = [f"http://{name}/" for name in RESOLVES if not name.startswith("xn--")]
    urls += ["http://bücher.example.com/", "http://RebInd.Example.COM./", "http://localhost/",
             "http://LOCALHOST./", "http://api.localhost/", "http://localhost:443/"]
    return urls


def payloads() -> list[Payload]:
    found = [Payload("IPv4 encodings", u) for u in ipv4_encodings()]
    found += [Payload("IPv6 forms", u) for u in ipv6_forms()]
    found += [Payload("enclosed alphanumerics", u) for u in enclosed_alphanumerics()]
    found += [Payload("full-width forms", u) for u in full_width()]
    found += [Payload("percent-encoding", u) for u in percent_encoding()]
    found += [Payload("user info, # and \\ confusion", u) for u in userinfo_confusion()]
    found += [Payload("schemes and malformed shapes", u) for u in schemes_and_shapes()]
    found += [Payload("DNS names resolving inside", u, resolves=not _named_refusal(u)) for u in dns_names()]
    return [Payload(p.category, p.url, p.resolves, p.url in RELATIVE_AS_LOCATION) for p in found]


def _named_refusal(url: str) -> bool:
    return "localhost" in url.lower()


PAYLOADS = payloads()


@pytest.fixture
def sealed(monkeypatch):
    """No network at all: a connection, a name lookup or a fetch beyond the first public hop
    fails the test. Returns the record of what the stub resolver was asked."""
    asked = []

    class Guarded(socket.socket):
        def connect(self, address):
            raise AssertionError(f"connected to {address}")

        def connect_ex(self, address):
            raise AssertionError(f"connected to {address}")

    def refuse(*args, **kwargs):
        raise AssertionError(f"network use: {args!r}")

    monkeypatch.setattr(socket, "socket", Guarded)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)

    def resolve(host, port):
        asked.append(host)
        if host == PUBLIC_HOST:
            return [PUBLIC_ADDRESS]
        assert host in RESOLVES, f"looked up {host!r}, which denotes an address or is no name"
        return RESOLVES[host]

    return asked, resolve


def _refusal(payload: Payload, run) -> str:
    with pytest.raises(FetchRefused) as refused:
        run()
    message = str(refused.value)
    assert message.startswith("refused ") or message.startswith("the address is "), message
    assert len(message.splitlines()) == 1 and "\n" not in message, message
    assert SECRET not in message and "t-pw@" not in message, message
    return message


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"{p.category}|{p.url}" for p in PAYLOADS])
def test_each_payload_is_refused_before_any_connection(sealed, monkeypatch, payload):
    asked, resolve = sealed
    monkeypatch.setattr(fetch_client, "_open", lambda *a, **k: pytest.fail(f"fetched {payload.url}"))
    _refusal(payload, lambda: fetch_page(payload.url, FetchPolicy(), resolve=resolve))
    assert bool(asked) == payload.resolves, asked  # a host that denotes a number is never looked up


class Redirect:
    """The public page's answer: a redirect to the payload."""

    status = 302
    reason = "Found"

    def __init__(self, location):
        self.headers = {"Location": location}

    def close(self):
        pass


class Page(Redirect):
    status = 200
    reason = "OK"

    def __init__(self):
        self.headers = {"Content-Type": "text/plain; charset=utf-8"}
        self._body = ["记者：请问发言人对此有何评论？".encode()]

    def read1(self, n):
        return self._body.pop() if self._body else b""


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"{p.category}|{p.url}" for p in PAYLOADS])
def test_each_payload_as_a_redirect_target_is_refused(sealed, monkeypatch, payload):
    asked, resolve = sealed
    opened = []

    def open_public(urllib3, target, deadline, policy):
        opened.append(target)
        assert target.addresses == (PUBLIC_ADDRESS,), f"connected to {target.addresses}"
        return Redirect(payload.url) if len(opened) == 1 else Page()

    monkeypatch.setattr(fetch_client, "_open", open_public)
    start = f"http://{PUBLIC_HOST}/page.html"
    if payload.relative_in_redirect:  # read as a path on the public host: fetched from there, nowhere else
        page = fetch_page(start, FetchPolicy(), resolve=resolve)
        assert page.final_url.startswith(f"http://{PUBLIC_HOST}/") and len(opened) == 2
        return
    _refusal(payload, lambda: fetch_page(start, FetchPolicy(), resolve=resolve))
    assert len(opened) == 1 and bool(set(asked) - {PUBLIC_HOST}) == payload.resolves, asked


def test_the_payload_counts():
    counts: dict[str, int] = {}
    for payload in PAYLOADS:
        counts[payload.category] = counts.get(payload.category, 0) + 1
    print("\npayloads per category (each tried directly and as a redirect target):")
    for category, n in counts.items():
        print(f"  {n:4d}  {category}")
    print(f"  {len(PAYLOADS):4d}  in all")
    assert len(PAYLOADS) >= 200 and len({p.url for p in PAYLOADS}) == len(PAYLOADS)
    assert all(n >= 10 for n in counts.values()), counts


# ---- any address in a refused IPv4 range, in any form inet_aton reads, is refused

REFUSED_V4 = [ipaddress.ip_network(n) for n in ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
                                                  "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
                                                  "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
                                                  "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"]]


@st.composite
def written_ipv4(draw):
    network = draw(st.sampled_from(REFUSED_V4))
    value = int(network.network_address) + draw(st.integers(0, network.num_addresses - 1))
    octets = list(value.to_bytes(4, "big"))
    parts = draw(st.sampled_from([4, 3, 2, 1]))
    numbers = octets[:parts - 1] + [int.from_bytes(bytes(octets[parts - 1:]), "big")]

    def write(n):
        return draw(st.sampled_from([str(n), hex(n), hex(n).upper().replace("0X", "0x"), "0" + oct(n)[2:]]))

    return value, ".".join(write(n) for n in numbers)


@settings(max_examples=300, deadline=None)
@given(written_ipv4())
def test_every_written_form_of_a_refused_ipv4_address_is_refused(case):
    value, host = case

    def no_lookup(name, port):
        raise AssertionError(f"looked up {name}")

    with pytest.raises(FetchRefused) as refused:
        fetch_page(f"http://{host}/", FetchPolicy(), resolve=no_lookup)
    assert f": {ipaddress.IPv4Address(value)} is " in str(refused.value)
