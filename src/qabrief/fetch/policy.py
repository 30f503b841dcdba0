"""What the operator lets the server fetch, read from the environment one way.

| variable | default | meaning |
|---|---|---|
| QABRIEF_FETCH | on | off: addresses are refused ("save the page and upload it") |
| QABRIEF_FETCH_HOSTS | (any public host) | comma-separated host names; `*.example.com` takes its subdomains |
| QABRIEF_FETCH_PORTS | 80,443 | the ports an address may name |
| QABRIEF_FETCH_TIMEOUT_S | 20 | the whole fetch: name lookup, connection, every redirect, the body |
| QABRIEF_FETCH_MAX_BYTES | the upload limit (5 MiB) | the page after decompression |
| QABRIEF_FETCH_TEST_LOOPBACK | off | tests only: lets the test suite's own server on 127.0.0.1 answer, on any port |
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .. import settings
from ..errors import QabriefError
from ..parse.reading import MAX_INPUT_BYTES

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5


class FetchError(QabriefError):
    """A page could not be fetched; the message is one line a person understands."""


class FetchRefused(FetchError):
    """The address is not one this server fetches (refused before any connection)."""


class FetchFailed(FetchError):
    """The address was allowed but the fetch did not bring back a page."""


@dataclass(frozen=True)
class FetchPolicy:
    enabled: bool = True
    hosts: tuple[str, ...] = ()  # empty: any public host
    ports: tuple[int, ...] = (80, 443)
    timeout_s: float = 20.0
    max_bytes: int = MAX_INPUT_BYTES
    test_loopback: bool = False
    resolve: object = field(default=None, compare=False)  # a stub resolver (tests); None: the system's

    @classmethod
    def from_env(cls) -> FetchPolicy:
        return cls(enabled=settings.flag("QABRIEF_FETCH"),
                   hosts=tuple(h.rstrip(".") for h in settings.names("QABRIEF_FETCH_HOSTS")),
                   ports=settings.integers("QABRIEF_FETCH_PORTS"),
                   timeout_s=settings.number("QABRIEF_FETCH_TIMEOUT_S"),
                   max_bytes=settings.integer("QABRIEF_FETCH_MAX_BYTES"),
                   test_loopback=settings.flag("QABRIEF_FETCH_TEST_LOOPBACK"))

    def host_allowed(self, host: str) -> bool:
        return any(host == h or (h.startswith("*.") and host.endswith(h[1:])) for h in self.hosts)

