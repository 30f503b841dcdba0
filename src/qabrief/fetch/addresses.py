"""Which addresses the server may fetch, decided before any connection is made.

A visitor who can make the server fetch any address can reach what only the server can
reach (cloud metadata at 169.254.169.254, services on localhost or the private network)
and read it back through the brief. So an address is refused unless every address its
host resolves to is public, and the caller connects to one of exactly those checked
addresses (`Target.addresses`), never to the name again: a name that answers differently
the second time (DNS rebinding) cannot slip through.

Which ranges are refused is a fixed table (`special.py`: IANA's special-purpose registries),
not the running Python's `ipaddress` flags. The host is normalised first (NFKC, IDNA), then
literal forms are read the way the C library reads them (inet_aton: `2130706433`, `0x7f.1`,
`0177.0.0.1` are all 127.0.0.1), so a host that denotes a number is judged as that address
and never looked up; IPv6 forms that carry an IPv4 address (`::ffff:127.0.0.1`, NAT64,
6to4) are judged by the address they carry.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from .policy import FetchFailed, FetchPolicy, FetchRefused
from .special import IPAddress, refused_kind

Resolver = Callable[[str, int], list[str]]

MAX_ADDRESS_CHARS = 2048
_HOST_NAME = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*"
                        r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?$")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# the ideographic full stops IDNA reads as dots (NFKC leaves U+3002 as it is, and makes U+FF61 into it)
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_AT = "@\uff20\ufe6b"  # @ and the two forms NFKC makes into it
_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


@dataclass(frozen=True)
class Target:
    """A checked address: connect to one of `addresses`, and tell the server `host`."""

    url: str
    scheme: str
    host: str  # as the server knows itself (Host header, TLS name); an IP literal for a literal address
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]  # every address the host resolved to, all of them checked
    literal: bool  # the address named an IP, not a host name


def looks_like_address(text: str | None) -> bool:
    """A pasted line that is an address rather than a transcript (any scheme: `file://` and
    `ftp://` too, so that they get their refusal instead of "no Chinese text")."""
    stripped = (text or "").strip()
    return bool(re.fullmatch(r"(?i)[a-z][a-z0-9+.-]{1,15}://\S+", stripped))


def check_address(url: str, policy: FetchPolicy, resolve: Resolver | None = None) -> Target:
    """The checked target of `url`, or FetchRefused saying what was refused and why.

    The address is split here, the same way on every Python (not by `urllib.parse`, whose
    checks differ between patch releases); the host is normalised (NFKC, IDNA) before it is
    read as a literal address, so `①②⑦.⓪.⓪.①` is judged as 127.0.0.1 and never looked up.
    """
    if len(url) > MAX_ADDRESS_CHARS:
        raise FetchRefused(f"the address is {len(url)} characters long; at most {MAX_ADDRESS_CHARS} are accepted")
    url = url.strip()
    shown = shown_address(url)
    if any(_unprintable(ch) for ch in url):
        raise FetchRefused(f"refused {shown}: an address cannot contain spaces or control characters")
    scheme, authority, path = _split(url, shown)
    host, port_text, bracketed = _host_and_port(authority, shown)
    if port_text is None:
        port = 443 if scheme == "https" else 80
    elif port_text.isascii() and port_text.isdigit() and 0 < int(port_text) < 65536:
        port = int(port_text)
    else:
        raise FetchRefused(f"refused {shown}: its port is not a number from 1 to 65535")
    if bracketed:
        ip = _ipv6_literal(host, shown)
    else:
        host = host.rstrip(".")
        if not host:
            raise FetchRefused(f"refused {shown}: it names no host")
        host = _ascii_host(host, shown)
        try:
            ip = _read_ipv4(host)
        except ValueError as exc:
            raise FetchRefused(f"refused {shown}: {exc}") from None
        if ip is None:
            if not _HOST_NAME.match(host):
                raise FetchRefused(f"refused {shown}: {host[:60]!r} is not a valid host name")
            if host == "localhost" or host.endswith(".localhost"):
                raise FetchRefused(f"refused {shown}: {host} is this server itself")
    if ip is not None:
        host = str(ip)
    if policy.hosts and not policy.host_allowed(host):
        raise FetchRefused(f"refused {shown}: this server fetches only from {', '.join(policy.hosts)}")
    loopback_test = policy.test_loopback  # the tests' own server on 127.0.0.1, on any port
    # the address rules before the port's: http://127.0.0.1:8080/ is refused as this server itself,
    # not for its port (which would suggest that another port would do)
    if ip is not None:
        addresses = [ip]
    else:
        addresses = _resolved(host, port, resolve or policy.resolve or system_resolver(policy.timeout_s))
    for address in addresses:
        kind = refused_kind(address)
        if kind and not (loopback_test and _is_loopback(address)):
            where = f"{address}" if ip is not None else f"{host} resolves to {address}, which"
            raise FetchRefused(f"refused {shown}: {where} is {kind}; the server fetches public addresses only")
    if port not in policy.ports and not (loopback_test and all(_is_loopback(a) for a in addresses)):
        raise _port_refused(shown, port, policy)
    return Target(url, scheme, host, port, path, tuple(map(str, addresses)), ip is not None)


def _unprintable(ch: str) -> bool:
    """Spaces, line and paragraph separators, control and direction-changing characters: none
    belongs in an address, and each would let a message span lines or read backwards."""
    return ch <= " " or ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zs", "Zl", "Zp")


def _split(url: str, shown: str) -> tuple[str, str, str]:
    """Scheme, authority (host and port) and request path of an http(s) address."""
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme not in ("http", "https"):
        raise FetchRefused(f"refused {shown}: only http and https addresses are fetched, not "
                           f"{(scheme or 'an address without a scheme')[:10]}")
    rest = url[match.end():]
    if not rest.startswith("//"):
        raise FetchRefused(f"refused {shown}: it names no host (an address begins {scheme}://)")
    rest = rest[2:]
    # anything before the first slash that holds an @ may be a user name or password, whichever
    # delimiter (? # \\) a parser would stop at: refused, and never shown
    if any(at in re.match(r"[^/\\]*", rest).group(0) for at in _AT):
        raise FetchRefused(f"refused {shown}: addresses with a user name or password are not fetched")
    authority = re.match(r"[^/?#]*", rest).group(0)
    if "\\" in authority:
        raise FetchRefused(f"refused {shown}: a backslash cannot stand in the host part of an address")
    tail = rest[len(authority):].split("#", 1)[0]
    path, _, query = tail.partition("?")
    return scheme, authority, (path or "/") + (f"?{query}" if query else "")


def _host_and_port(authority: str, shown: str) -> tuple[str, str | None, bool]:
    """The host (NFKC-normalised, lower case) and port text of an authority, and whether the
    host was a bracketed IPv6 address."""
    text = unicodedata.normalize("NFKC", authority).translate(_DOTS).lower()
    if any(c in text for c in "/?#@\\"):
        raise FetchRefused(f"refused {shown}: its host holds characters that read as / ? # @ or \\ once "
                           "normalised (full-width or other compatibility forms)")
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise FetchRefused(f"refused {shown}: its IPv6 address has no closing ]")
        rest = text[end + 1:]
        if rest and not rest.startswith(":"):
            raise FetchRefused(f"refused {shown}: only a port may follow its [IPv6 address]")
        return text[1:end], rest[1:] or None, True
    if "[" in text or "]" in text:
        raise FetchRefused(f"refused {shown}: brackets belong only around a whole IPv6 address")
    host, colon, port = text.partition(":")
    return host, (port or None) if colon else None, False


def _ipv6_literal(host: str, shown: str) -> ipaddress.IPv6Address:
    if "%" in host:  # a zone index names an interface of this machine
        raise FetchRefused(f"refused {shown}: an IPv6 address with a zone index names this machine's interface")
    try:
        return ipaddress.IPv6Address(host)
    except ValueError:
        raise FetchRefused(f"refused {shown}: [{host[:60]}] is not a valid IPv6 address") from None


def _ascii_host(host: str, shown: str) -> str:
    """The host name as DNS knows it (IDNA: Unicode labels to xn--, mapped first)."""
    if "%" in host:
        raise FetchRefused(f"refused {shown}: a host name cannot be percent-encoded")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise FetchRefused(f"refused {shown}: {host[:60]!r} is not a valid host name") from None


def _resolved(host: str, port: int, resolve: Resolver) -> list[IPAddress]:
    try:
        addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolve(host, port)]
    except ValueError:
        raise FetchFailed(f"cannot reach {host}: the name resolved to something that is not an address") from None
    if not addresses:
        raise FetchFailed(f"cannot reach {host}: the name does not resolve to any address")
    return addresses


def _is_loopback(ip: IPAddress) -> bool:
    return any(ip in network for network in _LOOPBACK if network.version == ip.version)


def _port_refused(shown: str, port: int, policy: FetchPolicy) -> FetchRefused:
    return FetchRefused(f"refused {shown}: port {port} is not fetched (allowed: {', '.join(map(str, policy.ports))}; "
                        "the operator sets QABRIEF_FETCH_PORTS)")


def literal_ip(host: str) -> IPAddress | None:
    """The IP address `host` writes literally (IPv6, or IPv4 in any form inet_aton accepts), else None."""
    if ":" in host:
        if "%" in host:  # a zone index names an interface of this machine
            raise FetchRefused(f"refused [{host[:60]}]: an IPv6 address with a zone index")
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise FetchRefused(f"refused [{host[:60]}]: not a valid IPv6 address") from None
    try:
        return _read_ipv4(host)
    except ValueError as exc:
        raise FetchRefused(f"refused {host[:60]}: {exc}") from None


def _read_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address of a host whose last label is a number, read as inet_aton reads it;
    None for a host name; ValueError (a reason) for a number that is no address."""
    parts = host.split(".")
    number = re.compile(r"(?i)0x[0-9a-f]*|[0-9]+")
    if not number.fullmatch(parts[-1]):
        return None
    # a host whose last label is a number is an IPv4 address or nothing (as browsers read it, WHATWG URL)
    bad = f"{host[:60]} is not a valid IPv4 address (a host whose last part is a number is read as one)"
    if len(parts) > 4 or not all(number.fullmatch(p) for p in parts):
        raise ValueError(bad)
    try:
        values = [int(p, 16) if p[:2].lower() == "0x" else int(p, 8) if len(p) > 1 and p[0] == "0" else int(p)
                  for p in (p if p.lower() != "0x" else "0x0" for p in parts)]
    except ValueError:  # an octal-looking part with an 8 or 9: not an address inet_aton reads
        raise ValueError(bad) from None
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        raise ValueError(bad)
    value = 0
    for v in head:
        value = value * 256 + v
    return ipaddress.IPv4Address(value * 256 ** (5 - len(values)) + last)


def system_resolver(timeout_s: float) -> Resolver:
    """The C library's resolver, bounded in time (getaddrinfo itself has no time limit)."""

    def resolve(host: str, port: int) -> list[str]:
        result: dict = {}

        def look_up():
            try:
                result["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError, OSError) as exc:
                result["error"] = exc

        worker = threading.Thread(target=look_up, daemon=True)
        worker.start()
        worker.join(timeout_s)
        if worker.is_alive():
            raise FetchFailed(f"cannot reach {host}: its name did not resolve within {timeout_s:g} s")
        if "error" in result:
            raise FetchFailed(f"cannot reach {host}: the name does not resolve ({_reason(result['error'])})")
        return list(dict.fromkeys(info[4][0] for info in result["infos"]))

    return resolve


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def shown_address(url: str) -> str:
    """The address as an error names it: short, and without anything that may be a user name
    or password: whatever stands between `//` and the last `@` is left out (a password may
    itself hold @, and parsers disagree on where user info ends); spaces and control
    characters are shown as <U+0009>."""
    last = max(url.rfind(at) for at in _AT)
    if last >= 0:
        start = url.find("//") + 2 if "//" in url else (url.find(":") + 1)
        if last >= start:
            url = url[:start] + "…@" + url[last + 1:]
    url = "".join(f"<U+{ord(ch):04X}>" if _unprintable(ch) else ch for ch in url)  # one visible line
    return url if len(url) <= 100 else url[:97] + "…"
