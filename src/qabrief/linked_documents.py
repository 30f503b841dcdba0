"""A fetched page read exactly as the same page saved and uploaded would be.

A shell-level module (beside `brief.py`): it joins the fetch stage to the parse and
official-English readers, which the fetch stage itself must not import."""

from __future__ import annotations

from .errors import QabriefError
from .fetch.addresses import shown_address
from .fetch.client import fetch_page
from .fetch.policy import FetchFailed, FetchPolicy


def transcript_at(url: str, policy: FetchPolicy | None = None, resolve=None):
    """(the parsed transcript at `url`, where and when it was fetched)."""
    from .parse import parse

    page = fetch_page(url, policy, resolve)
    try:
        transcript = parse(page.data, charset=page.charset)
    except QabriefError as exc:
        raise FetchFailed(f"{shown_address(url.strip())}: {_page_words(exc)}") from None
    return transcript, dict(page.origin(), role="transcript")


def english_at(url: str, policy: FetchPolicy | None = None, resolve=None):
    """(the official English transcript at `url`, where and when it was fetched)."""
    from .official import read_english

    page = fetch_page(url, policy, resolve)
    try:
        english = read_english(page.data)
    except QabriefError as exc:
        raise FetchFailed(f"{shown_address(url.strip())}: {_page_words(exc)} (the official English)") from None
    return english, dict(page.origin(), role="official English")


def _page_words(exc: Exception) -> str:
    return str(exc).replace("input is empty", "the page is empty").replace("input looks like",
                                                                          "the page looks like")
