"""Fetch one page under the operator's rules, with urllib3 connecting to checked addresses only.

urllib3 (not requests, not trafilatura's fetcher) because it lets the connection go to
an address we chose while the request and TLS still name the host, it reads no proxy
settings from the environment (a proxy would connect on our behalf to addresses we never
checked), and since 2.6 it decompresses a body only as far as it is read, so a gzip bomb
costs what the size limit allows and no more. Redirects are followed here, each hop
checked as the first one was. The whole fetch shares one deadline; every read of the
body returns what one receive brought, so a body that trickles in is stopped at the
deadline, not after it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin

from .addresses import Resolver, Target, check_address, shown_address
from .policy import MAX_REDIRECTS, FetchFailed, FetchPolicy, FetchRefused

KEPT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")
_READ = 65536
_HEADERS = {
    "User-Agent": "qabrief (bilingual press-conference briefs)",
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
    "Accept-Encoding": "gzip, deflate",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as asked
    final_url: str  # after redirects
    data: bytes
    content_type: str
    charset: str | None  # as the server declared it
    fetched_at: str  # ISO 8601, UTC, to the second

    def origin(self) -> dict:
        """What a brief records of where its text came from."""
        return {"url": self.url, "final_url": self.final_url, "fetched_at": self.fetched_at}


def fetch_page(url: str, policy: FetchPolicy | None = None, resolve: Resolver | None = None) -> FetchedPage:
    """The page at `url` (FetchRefused before any connection, FetchFailed after)."""
    import urllib3

    policy = policy or FetchPolicy.from_env()
    if not policy.enabled:
        raise FetchRefused("fetching web addresses is off on this server; save the page and upload it")
    deadline = time.monotonic() + policy.timeout_s
    asked, current = url.strip(), url.strip()
    for _hop in range(MAX_REDIRECTS + 1):
        target = check_address(current, policy, resolve or policy.resolve)
        response = _open(urllib3, target, deadline, policy)
        try:  # one connection per hop, closed after it: nothing is kept between fetches
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                current = _redirect_target(current, response.headers["Location"])
                continue
            return _page(asked, current, response, deadline, policy)
        finally:
            response.close()
    raise FetchFailed(f"{shown_address(asked)} redirects more than {MAX_REDIRECTS} times")


def _redirect_target(current: str, location: str) -> str:
    """Where a redirect leads. An absolute Location is taken as it is, to be checked as the
    first address was (the same parser on every Python); only a relative one is joined."""
    location = location.strip()
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", location):
        return location
    if location.startswith("//"):
        return current.split(":", 1)[0] + ":" + location
    try:
        return urljoin(current, location)
    except ValueError:
        raise FetchRefused(f"refused the redirect from {shown_address(current)} to {shown_address(location)}: "
                           "it is not a well-formed address") from None


def _open(urllib3, target: Target, deadline: float, policy: FetchPolicy):
    from urllib3.exceptions import HTTPError, NewConnectionError, SSLError, TimeoutError

    headers = dict(_HEADERS, Host=_host_header(target))
    last = None
    for address in target.addresses:  # every one of them was checked; try the next if one does not answer
        remaining = _remaining(deadline, target, policy)
        timeout = urllib3.Timeout(connect=remaining, read=remaining)
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1,
                                               cert_reqs="CERT_REQUIRED", assert_hostname=target.host,
                                               server_hostname=None if target.literal else target.host)
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
        try:
            return pool.urlopen("GET", target.path, headers=headers, redirect=False, retries=False,
                                preload_content=False, decode_content=True, assert_same_host=False)
        except NewConnectionError as exc:  # before TimeoutError, which urllib3 makes its base class
            last = exc
        except TimeoutError:
            raise _timed_out(target, policy) from None
        except SSLError as exc:
            raise FetchFailed(f"cannot reach {target.host}: its secure connection failed "
                              f"({_first_line(exc)})") from None
        except HTTPError as exc:
            raise FetchFailed(f"cannot reach {target.host}: {_first_line(exc)}") from None
    raise FetchFailed(f"cannot reach {target.host}: {_connection_reason(last)}")


def _page(asked: str, final: str, response, deadline: float, policy: FetchPolicy) -> FetchedPage:
    shown = shown_address(asked)
    if response.status != 200:
        raise FetchFailed(f"{shown} answered {response.status} {response.reason or ''}".rstrip())
    content_type = response.headers.get("Content-Type", "")
    kind = content_type.split(";")[0].strip().lower()
    if kind and kind not in KEPT_TYPES:
        raise FetchFailed(f"{shown} is not a web page or text ({kind[:60]}); qabrief reads HTML and text")
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and not response.headers.get("Content-Encoding") and int(length) > policy.max_bytes:
        raise _too_large(shown, policy)
    data = _body(response, deadline, policy, shown)
    if data[:5] == b"%PDF-":
        raise FetchFailed(f"{shown} is not a web page or text (a PDF); qabrief reads HTML and text")
    charset = None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return FetchedPage(asked, final, data, kind or "(not declared)", charset,
                       datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _body(response, deadline: float, policy: FetchPolicy, shown: str) -> bytes:
    from urllib3.exceptions import DecodeError, HTTPError, TimeoutError

    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _timed_out(shown, policy)
        sock = getattr(getattr(response, "connection", None), "sock", None)
        if sock is not None:  # the next receive may wait only for what is left of the deadline
            sock.settimeout(remaining)
        try:
            chunk = response.read1(_READ)
        except TimeoutError:
            raise _timed_out(shown, policy) from None
        except DecodeError:
            raise FetchFailed(f"{shown} sent a compressed page that does not decompress") from None
        except HTTPError as exc:
            raise FetchFailed(f"{shown} broke off while sending the page ({_first_line(exc)})") from None
        except OSError as exc:
            if "timed out" in str(exc):
                raise _timed_out(shown, policy) from None
            raise FetchFailed(f"{shown} broke off while sending the page ({_first_line(exc)})") from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > policy.max_bytes:
            raise _too_large(shown, policy)
        chunks.append(chunk)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _remaining(deadline: float, target: Target, policy: FetchPolicy) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timed_out(target, policy)
    return remaining


def _timed_out(what, policy: FetchPolicy) -> FetchFailed:
    name = what.host if isinstance(what, Target) else what
    return FetchFailed(f"{name} did not send the page within {policy.timeout_s:g} s (the time limit)")


def _too_large(shown: str, policy: FetchPolicy) -> FetchFailed:
    return FetchFailed(f"{shown} is larger than the {policy.max_bytes / 1048576:.1f} MiB limit; "
                       "save the part you need and upload it")


def _connection_reason(exc) -> str:
    text = str(getattr(exc, "__cause__", None) or exc or "")
    if "refused" in text.lower():
        return "connection refused"
    if "unreachable" in text.lower():
        return "the network or host is unreachable"
    return _first_line(exc) if exc else "no address answered"


def _first_line(exc) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 160 else line[:157] + "…"


__all__ = ["FetchedPage", "fetch_page", "FetchRefused", "FetchFailed"]
