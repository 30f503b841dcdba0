"""Briefs from a link: fetch a transcript page by its address, never from the server's own network.

`fetch_page(url)` → `FetchedPage` (the bytes, the declared charset, where and when) under
the operator's `FetchPolicy`; the bytes then go through exactly the reading an upload
gets. `check_address` decides before any connection; `client` fetches.
"""

from .addresses import check_address, looks_like_address, refused_kind
from .client import FetchedPage, fetch_page
from .policy import FetchError, FetchFailed, FetchPolicy, FetchRefused

__all__ = ["FetchError", "FetchFailed", "FetchPolicy", "FetchRefused", "FetchedPage", "check_address", "fetch_page",
           "looks_like_address", "refused_kind"]
