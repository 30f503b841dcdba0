"""Which addresses the server may fetch, decided before any connection is made.

A visitor who can make the server fetch any address can reach what only the server can
reach (cloud metadata at 169.254.169.254, services on localhost or the private network)
and read it back through the brief. So an address is refused unless every address its
host resolves to is public, and the caller connects to one of exactly those checked
addresses (`Target.addresses`), never to the name again: a name that answers differently
the second time (DNS rebinding) cannot slip through.

Literal forms are read the way the C library reads them (inet_aton: `2130706433`,
`0x7f.1`, `0177.0.0.1` are all 127.0.0.1), and IPv6 forms that carry an IPv4 address
(`::ffff:127.0.0.1`, 6to4, NAT64, Teredo) are judged by the address they carry.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .policy import FetchFailed, FetchPolicy, FetchRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

MAX_ADDRESS_CHARS = 2048
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_NAME = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*"
                        r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?$")


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
    """The checked target of `url`, or FetchRefused saying what was refused and why."""
    if len(url) > MAX_ADDRESS_CHARS:
        raise FetchRefused(f"the address is {len(url)} characters long; at most {MAX_ADDRESS_CHARS} are accepted")
    url = url.strip()
    shown = _shown(url)
    if re.search(r"[\x00-\x20\x7f]", url):
        raise FetchRefused(f"refused {shown}: an address cannot contain spaces or control characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"refused {shown}: only http and https addresses are fetched, not "
                           f"{(scheme or 'an address without a scheme')[:10]}")
    if "@" in parts.netloc:
        raise FetchRefused(f"refused {shown}: addresses with a user name or password are not fetched")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchRefused(f"refused {shown}: its port is not a number from 1 to 65535") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(f"refused {shown}: it names no host")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    ip = literal_ip(host)
    if ip is None:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise FetchRefused(f"refused {shown}: {host[:60]!r} is not a valid host name") from None
        if not _HOST_NAME.match(host):
            raise FetchRefused(f"refused {shown}: {host[:60]!r} is not a valid host name")
        if host == "localhost" or host.endswith(".localhost"):
            raise FetchRefused(f"refused {shown}: {host} is this server itself")
    if policy.hosts and not policy.host_allowed(host):
        raise FetchRefused(f"refused {shown}: this server fetches only from {', '.join(policy.hosts)}")
    loopback_test = policy.test_loopback  # the tests' own server on 127.0.0.1, on any port
    if port not in policy.ports and not loopback_test:
        raise _port_refused(shown, port, policy)
    if ip is not None:
        addresses = [ip]
    else:
        addresses = [ipaddress.ip_address(a.split("%")[0]) for a in (resolve or policy.resolver())(host, port)]
        if not addresses:
            raise FetchFailed(f"cannot reach {host}: the name does not resolve to any address")
    for address in addresses:
        kind = refused_kind(address)
        if kind and not (loopback_test and address.is_loopback):
            where = f"{address}" if ip is not None else f"{host} resolves to {address}, which"
            raise FetchRefused(f"refused {shown}: {where} is {kind}; the server does not fetch "
                               "addresses on its own network")
    if port not in policy.ports and not all(a.is_loopback for a in addresses):
        raise _port_refused(shown, port, policy)
    return Target(url, scheme, str(ip) if ip is not None else host, port, path, tuple(map(str, addresses)),
                  ip is not None)


def _port_refused(shown: str, port: int, policy: FetchPolicy) -> FetchRefused:
    return FetchRefused(f"refused {shown}: port {port} is not fetched (allowed: {', '.join(map(str, policy.ports))}; "
                        "the operator sets QABRIEF_FETCH_PORTS)")


def refused_kind(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched (a phrase), or None for a public address."""
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None) or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            kind = refused_kind(embedded)
            if kind:
                return f"{kind} (written as IPv6)"
    if ip.is_unspecified:
        return "an unspecified address (this machine)"
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata services answer)"
    if ip.version == 4 and ip in _CGNAT:
        return "a carrier-grade NAT address (a provider's private network)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a special-purpose address, not a public one"
    return None


def literal_ip(host: str) -> IPAddress | None:
    """The IP address `host` writes literally (IPv6, or IPv4 in any form inet_aton accepts), else None."""
    if ":" in host:
        if "%" in host:  # a zone index names an interface of this machine
            raise FetchRefused(f"refused [{host[:60]}]: an IPv6 address with a zone index")
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise FetchRefused(f"refused [{host[:60]}]: not a valid IPv6 address") from None
    parts = host.split(".")
    number = re.compile(r"(?i)0x[0-9a-f]*|[0-9]+")
    if not number.fullmatch(parts[-1]):
        return None
    # a host whose last label is a number is an IPv4 address or nothing (as browsers read it, WHATWG URL)
    if len(parts) > 4 or not all(number.fullmatch(p) for p in parts):
        raise FetchRefused(f"refused {host[:60]}: not a valid IPv4 address")
    try:
        values = [int(p, 16) if p[:2].lower() == "0x" else int(p, 8) if len(p) > 1 and p[0] == "0" else int(p)
                  for p in (p if p.lower() != "0x" else "0x0" for p in parts)]
    except ValueError:  # an octal-looking part with an 8 or 9: not an address inet_aton reads
        raise FetchRefused(f"refused {host[:60]}: not a valid IPv4 address") from None
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        raise FetchRefused(f"refused {host[:60]}: not a valid IPv4 address")
    number = 0
    for v in head:
        number = number * 256 + v
    number = number * 256 ** (5 - len(values)) + last
    return ipaddress.IPv4Address(number)


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


def _shown(url: str) -> str:
    """The address as an error names it: short, and without whatever credentials it carried."""
    shown = re.sub(r"(?<=//)[^/@]*@", "…@", url)
    return shown if len(shown) <= 100 else shown[:97] + "…"
