"""The operator's settings that are switches or lists, read from the environment one way.

Every on/off variable (QABRIEF_CACHE, QABRIEF_BATCH_REQUESTS, QABRIEF_ALLOW_ANY_MODEL,
QABRIEF_PRELOAD, HF_HUB_OFFLINE, …) accepts the same words: 1/true/yes/on and
0/false/no/off, in any case. Anything else is logged and the default kept, so a typo
never takes a server down.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

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
