"""The operator's settings that are switches or lists, read from the environment one way.

Every on/off variable (QABRIEF_CACHE, QABRIEF_BATCH_REQUESTS, QABRIEF_ALLOW_ANY_MODEL,
QABRIEF_PRELOAD, HF_HUB_OFFLINE, …) accepts the same words: 1/true/yes/on and
0/false/no/off, in any case. Anything else is logged and the default kept, so a typo
never takes a server down.

A public server (`public_server`: QABRIEF_PUBLIC=on, or on Hugging Face Spaces, where
SPACE_ID is set) keeps nothing of its visitors by default: the memory learns nothing from
their documents (QABRIEF_MEMORY_LEARN) and no translation is cached (QABRIEF_CACHE),
unless the operator turns either on by name.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

PUBLIC_ENV = "QABRIEF_PUBLIC"
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    log.warning("%s=%r is neither on (%s) nor off (%s): using %s", name, value, "/".join(TRUE_WORDS),
                "/".join(FALSE_WORDS), "on" if default else "off")
    return default


def env_list(name: str, default: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated choice among `allowed` (unknown entries logged and dropped)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    items = [item.strip().lower() for item in value.split(",") if item.strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown:
        log.warning("%s: ignoring %s (choose from %s)", name, ", ".join(unknown), ", ".join(allowed))
    kept = tuple(dict.fromkeys(item for item in items if item in allowed))
    return kept or default


def public_server() -> bool:
    """The server is open to visitors: QABRIEF_PUBLIC, on by default on Hugging Face Spaces
    (SPACE_ID set); QABRIEF_PUBLIC=off on a Space is the operator's word against it."""
    return env_flag(PUBLIC_ENV, bool(os.environ.get("SPACE_ID")))
