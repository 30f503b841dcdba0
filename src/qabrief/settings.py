"""The operator's settings: every QABRIEF_ environment variable, declared once and read here only.

`SETTINGS` lists each one (name, kind, default, meaning); docs/operations.md's settings table
is checked against it by tests/test_settings.py, and no module outside this one reads a
QABRIEF_ variable from the environment. The readers, one per kind:

- `flag`: 1/true/yes/on and 0/false/no/off, in any case (QABRIEF_PROGRESS=0 is off);
- `integer`, `number`: a positive whole number, a positive number;
- `path`: a folder or file (None when unset and the setting has no default);
- `text`: a name as written (QABRIEF_MODEL);
- `names`: a comma-separated list, optionally among allowed words (unknown ones dropped);
- `integers`: a comma-separated list of positive whole numbers.

The environment is read at each call (tests and operators change it at run time). An empty
value is the default; a bad value (a typo, `QABRIEF_CONCURRENCY=four`, `QABRIEF_MAX_MODELS=0`)
logs one warning, naming the variable, what it takes and the default, and the default is
kept: a typo never takes a server down. Variables that are not qabrief's (HF_HUB_OFFLINE)
are read with the same words through `env_flag`.

A public server (`public_server`: QABRIEF_PUBLIC=on, or on Hugging Face Spaces, where
SPACE_ID is set) keeps nothing of its visitors by default: the memory learns nothing from
their documents (QABRIEF_MEMORY_LEARN) and no translation is cached (QABRIEF_CACHE),
unless the operator turns either on by name.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PUBLIC_ENV = "QABRIEF_PUBLIC"
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
KINDS = ("flag", "int", "float", "path", "text", "list", "int list")


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # one of KINDS
    default: object  # the value when unset or bad; a callable where it depends on the machine or another setting
    meaning: str

    def default_value(self):
        return self.default() if callable(self.default) else self.default


def _on_spaces() -> bool:
    return bool(os.environ.get("SPACE_ID"))


def _not_public() -> bool:
    return not public_server()


def _stderr_is_a_terminal() -> bool:
    return sys.stderr.isatty()


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("QABRIEF_MODEL", "text", None,
            "the default model (a preset, a folder or a hub id); unset: quickmt-zh-en with CTranslate2, "
            "else opus-mt-zh-en"),
    Setting("QABRIEF_MODELS_DIR", "path", Path("models"), "the folder models are downloaded to and looked up in"),
    Setting("QABRIEF_DEVICES", "list", ("auto",), "the devices a request may choose (auto, cpu, cuda, mps)"),
    Setting("QABRIEF_BACKENDS", "list", ("auto",), "the backends a request may choose (auto, transformers, ct2)"),
    Setting("QABRIEF_PRELOAD", "flag", _on_spaces, "load (and on a GPU warm) the default model while the page starts"),
    Setting("QABRIEF_MEMORY", "flag", True, "off: no memory of official renderings"),
    Setting(PUBLIC_ENV, "flag", _on_spaces, "the server is public: it keeps nothing of its visitors"),
    Setting("QABRIEF_MEMORY_LEARN", "flag", _not_public, "briefs add their confident official links to the memory"),
    Setting("QABRIEF_MEMORY_DIR", "path", None, "the memory's folder (unset: the user data folder)"),
    Setting("QABRIEF_ALLOW_ANY_MODEL", "flag", False, "requests may name any local folder or hub id"),
    Setting("QABRIEF_MAX_MODELS", "int", 2, "loaded models kept at once"),
    Setting("QABRIEF_CONCURRENCY", "int", 4, "briefs the app makes at once"),
    Setting("QABRIEF_REQUEST_BUDGET_S", "float", 300.0,
            "seconds one app request may work; past them the rest stops and the page says why"),
    Setting("QABRIEF_BATCH_REQUESTS", "flag", True, "simultaneous requests share the model's calls"),
    Setting("QABRIEF_CACHE", "flag", _not_public, "the translation cache"),
    Setting("QABRIEF_CACHE_DIR", "path", None, "the translation cache's folder (unset: the user cache folder)"),
    Setting("QABRIEF_PROGRESS", "flag", _stderr_is_a_terminal, "`qabrief batch` shows its progress bar"),
    Setting("QABRIEF_MFA_CORPUS", "path", None,
            "the bilingual MFA corpus file of `qabrief eval` (unset: ../shared/corpus/bilingual/ beside a checkout)"),
    Setting("QABRIEF_FETCH", "flag", True, "off: links are refused"),
    Setting("QABRIEF_FETCH_HOSTS", "list", (), "the host names a link may name (empty: any public host)"),
    Setting("QABRIEF_FETCH_PORTS", "int list", (80, 443), "the ports a link may name"),
    Setting("QABRIEF_FETCH_TIMEOUT_S", "float", 20.0, "seconds for a whole fetch"),
    Setting("QABRIEF_FETCH_MAX_BYTES", "int", 5 * 1024 * 1024,  # parse.reading.MAX_INPUT_BYTES, the upload limit
            "the largest page fetched, after decompression"),
    Setting("QABRIEF_FETCH_TEST_LOOPBACK", "flag", False, "tests only: the test suite's own server on 127.0.0.1"),
)}

_warned: set[tuple[str, str]] = set()


def _declared(name: str, kind: str) -> Setting:
    setting = SETTINGS.get(name)
    if setting is None:
        raise KeyError(f"{name} is not declared in qabrief.settings.SETTINGS")
    if setting.kind != kind:
        raise TypeError(f"{name} is a {setting.kind} setting, not a {kind}")
    return setting


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def _warn_once(name: str, value: str, message: str, *args) -> None:
    """One warning per variable and value, however often it is read (per request, per fetch)."""
    if (name, value) not in _warned:
        _warned.add((name, value))
        log.warning(message, *args)


def _bad(name: str, value: str, expected: str, default) -> None:
    if isinstance(default, bool):
        shown = "on" if default else "off"
    elif isinstance(default, tuple):
        shown = ",".join(map(str, default)) or "(none)"
    else:
        shown = default
    _warn_once(name, value, "%s=%r is not %s: using the default, %s", name, value, expected, shown)


def _flag(name: str, value: str, default: bool) -> bool:
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    _bad(name, value, f"on ({'/'.join(TRUE_WORDS)}) or off ({'/'.join(FALSE_WORDS)})", default)
    return default


def flag(name: str) -> bool:
    """An on/off setting."""
    setting = _declared(name, "flag")
    value = _raw(name)
    return _flag(name, value, setting.default_value()) if value else setting.default_value()


def env_flag(name: str, default: bool) -> bool:
    """An on/off variable that is not qabrief's own (HF_HUB_OFFLINE), read with the same words."""
    if name.startswith("QABRIEF_"):
        raise ValueError(f"{name}: read qabrief's settings with settings.flag")
    value = _raw(name)
    return _flag(name, value, default) if value else default


def integer(name: str) -> int:
    """A positive whole number."""
    setting = _declared(name, "int")
    value = _raw(name)
    if not value:
        return setting.default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        _bad(name, value, "a positive whole number", setting.default)
        return setting.default
    return number


def number(name: str) -> float:
    """A positive number."""
    setting = _declared(name, "float")
    value = _raw(name)
    if not value:
        return setting.default
    try:
        result = float(value)
    except ValueError:
        result = 0.0
    if not result > 0 or result == float("inf"):  # nan and inf are no limits either
        _bad(name, value, "a positive number", setting.default)
        return setting.default
    return result


def path(name: str) -> Path | None:
    """A folder or file, as written; the declared default (often None) when unset."""
    setting = _declared(name, "path")
    value = _raw(name)
    return Path(value) if value else setting.default


def text(name: str) -> str | None:
    """A name, as written; the declared default (None) when unset."""
    setting = _declared(name, "text")
    return _raw(name) or setting.default


def names(name: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """A comma-separated list, lower-cased; with `allowed`, unknown entries are logged and dropped
    (and nothing known left is the default)."""
    setting = _declared(name, "list")
    value = _raw(name)
    if not value:
        return setting.default
    items = [item.strip().lower() for item in value.split(",") if item.strip()]
    unknown = [item for item in items if allowed is not None and item not in allowed]
    if unknown:
        _warn_once(name, value, "%s: ignoring %s (choose from %s)", name, ", ".join(unknown), ", ".join(allowed))
    kept = tuple(dict.fromkeys(item for item in items if item not in unknown))
    return kept or setting.default


def integers(name: str) -> tuple[int, ...]:
    """A comma-separated list of positive whole numbers (one bad entry: the default)."""
    setting = _declared(name, "int list")
    value = _raw(name)
    if not value:
        return setting.default
    try:
        numbers = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        numbers = ()
    if not numbers or any(n <= 0 for n in numbers):
        _bad(name, value, "a list of positive whole numbers", setting.default)
        return setting.default
    return numbers


def public_server() -> bool:
    """The server is open to visitors: QABRIEF_PUBLIC, on by default on Hugging Face Spaces
    (SPACE_ID set); QABRIEF_PUBLIC=off on a Space is the operator's word against it."""
    return flag(PUBLIC_ENV)
