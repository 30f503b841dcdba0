"""Every QABRIEF_ variable is read one way, in settings.py (issue 33): declared once in
`settings.SETTINGS`, read through its typed readers, a bad value logged once with the default
kept; docs/operations.md's settings table names exactly the declared ones; no other module
reads a QABRIEF_ variable from the environment."""

import ast
import logging
import re
import sys
from pathlib import Path

import pytest

from qabrief import settings
from qabrief.fetch.policy import FetchPolicy
from qabrief.model_pool import ModelPolicy, _max_models
from qabrief.parse.reading import MAX_INPUT_BYTES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "qabrief"
OPERATIONS = ROOT / "docs" / "operations.md"


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch):
    monkeypatch.setattr(settings, "_warned", set())


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "qabrief.settings" and r.levelno == logging.WARNING]


# ---- the docs table and the one list


def documented_settings(text: str) -> list[str]:
    """The variables of docs/operations.md's settings table (the section "The operator's settings")."""
    section = text.split("## The operator's settings", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(QABRIEF_[A-Z0-9_]+)` \|", section, re.MULTILINE)


def test_the_settings_table_in_operations_md_names_exactly_the_declared_settings():
    documented = documented_settings(OPERATIONS.read_text(encoding="utf-8"))
    assert len(documented) == len(set(documented)), "a variable has two rows"
    assert sorted(set(documented) - set(settings.SETTINGS)) == [], "documented but not declared in settings.py"
    assert sorted(set(settings.SETTINGS) - set(documented)) == [], "declared in settings.py but not documented"


def test_the_table_check_sees_a_missing_and_an_extra_row():
    text = OPERATIONS.read_text(encoding="utf-8")
    assert "QABRIEF_CACHE_DIR" in documented_settings(text)
    fewer = re.sub(r"^\| `QABRIEF_CACHE_DIR` \|.*\n", "", text, flags=re.MULTILINE)
    assert set(settings.SETTINGS) - set(documented_settings(fewer)) == {"QABRIEF_CACHE_DIR"}
    more = text.replace("| `QABRIEF_CACHE_DIR` |", "| `QABRIEF_NOT_A_SETTING` | x | y |\n| `QABRIEF_CACHE_DIR` |")
    assert set(documented_settings(more)) - set(settings.SETTINGS) == {"QABRIEF_NOT_A_SETTING"}


def test_every_qabrief_name_in_the_package_is_declared():
    mentioned = {name for path in PACKAGE.rglob("*.py")
                 for name in re.findall(r"QABRIEF_[A-Z0-9_]*[A-Z0-9]", path.read_text(encoding="utf-8"))}
    assert mentioned and sorted(mentioned - set(settings.SETTINGS)) == []


def test_each_setting_is_declared_with_a_known_kind_and_a_meaning():
    for name, setting in settings.SETTINGS.items():
        assert setting.name == name and name.startswith("QABRIEF_")
        assert setting.kind in settings.KINDS and setting.meaning.strip()
    assert settings.SETTINGS["QABRIEF_FETCH_MAX_BYTES"].default == MAX_INPUT_BYTES  # the upload limit


# ---- no environment read outside settings.py


def environment_reads(source: str) -> list[str]:
    """QABRIEF_ variables (or names that cannot be told) a module reads from os.environ or getenv."""
    tree = ast.parse(source)
    constants = {t.id: node.value.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for t in node.targets if isinstance(t, ast.Name)}

    def is_environ(node) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
            isinstance(node, ast.Name) and node.id == "environ")

    def name_of(node) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in constants:
            return constants[node.id]
        return f"<{ast.unparse(node)}>"  # computed: cannot be told apart from a QABRIEF_ name

    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr in ("get", "pop", "setdefault")
                    and is_environ(func.value)) or (isinstance(func, (ast.Attribute, ast.Name))
                                                    and getattr(func, "attr", getattr(func, "id", "")) == "getenv"):
                keys.append(name_of(node.args[0]))
        elif isinstance(node, ast.Subscript) and is_environ(node.value):
            keys.append(name_of(node.slice))
        elif isinstance(node, ast.Compare) and any(is_environ(c) for c in node.comparators):
            keys.append(name_of(node.left))
    return [k for k in keys if k.startswith(("QABRIEF_", "<"))]


def test_no_module_but_settings_reads_a_qabrief_variable_from_the_environment():
    reads = {str(path.relative_to(PACKAGE)): found for path in sorted(PACKAGE.rglob("*.py"))
             if path.name != "settings.py" or path.parent != PACKAGE
             if (found := environment_reads(path.read_text(encoding="utf-8")))}
    assert reads == {}


@pytest.mark.parametrize("line", [
    'os.environ.get("QABRIEF_X", "1")', 'os.environ["QABRIEF_X"]', 'os.getenv("QABRIEF_X")',
    'X_ENV = "QABRIEF_X"\nos.environ.get(X_ENV)', '"QABRIEF_X" in os.environ', 'environ.get(name)'])
def test_the_environment_check_sees_a_direct_read(line):
    assert environment_reads("import os\n" + line + "\n")
    assert environment_reads('import os\nos.environ.get("HF_HOME")\n') == []


# ---- what a bad value does


def test_qabrief_progress_0_is_off_and_unset_follows_the_terminal(monkeypatch):
    class Terminal:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    monkeypatch.delenv("QABRIEF_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", Terminal(True))
    assert settings.flag("QABRIEF_PROGRESS")
    monkeypatch.setenv("QABRIEF_PROGRESS", "0")  # before: any non-empty value turned it on
    assert not settings.flag("QABRIEF_PROGRESS")
    monkeypatch.setattr(sys, "stderr", Terminal(False))
    monkeypatch.setenv("QABRIEF_PROGRESS", "on")
    assert settings.flag("QABRIEF_PROGRESS")
    monkeypatch.delenv("QABRIEF_PROGRESS")
    assert not settings.flag("QABRIEF_PROGRESS")


def test_a_typo_in_qabrief_concurrency_is_logged_once_and_the_default_kept(monkeypatch, caplog):
    monkeypatch.setenv("QABRIEF_CONCURRENCY", "four")  # before: int() raised and the app did not start
    with caplog.at_level(logging.WARNING, logger="qabrief.settings"):
        assert settings.integer("QABRIEF_CONCURRENCY") == 4
        assert settings.integer("QABRIEF_CONCURRENCY") == 4
    assert warnings(caplog) == ["QABRIEF_CONCURRENCY='four' is not a positive whole number: using the default, 4"]
    monkeypatch.setenv("QABRIEF_CONCURRENCY", " 8 ")
    assert settings.integer("QABRIEF_CONCURRENCY") == 8


@pytest.mark.parametrize("value", ["lots", "0", "-3", "2.5"])
def test_a_bad_qabrief_max_models_is_logged_and_the_pool_keeps_two(monkeypatch, caplog, value):
    monkeypatch.setenv("QABRIEF_MAX_MODELS", value)
    with caplog.at_level(logging.WARNING, logger="qabrief.settings"):
        assert _max_models() == 2
    assert len(warnings(caplog)) == 1 and "QABRIEF_MAX_MODELS" in warnings(caplog)[0]
    monkeypatch.setenv("QABRIEF_MAX_MODELS", "3")
    assert _max_models() == 3


def test_a_bad_flag_is_logged_and_the_default_kept(monkeypatch, caplog):
    monkeypatch.setenv("QABRIEF_BATCH_REQUESTS", "nope")
    with caplog.at_level(logging.WARNING, logger="qabrief.settings"):
        assert settings.flag("QABRIEF_BATCH_REQUESTS")
    assert "QABRIEF_BATCH_REQUESTS='nope' is not on" in warnings(caplog)[0]
    for word, on in [("OFF", False), ("No", False), ("0", False), ("Yes", True), ("TRUE", True), ("1", True)]:
        monkeypatch.setenv("QABRIEF_BATCH_REQUESTS", word)
        assert settings.flag("QABRIEF_BATCH_REQUESTS") is on


def test_the_fetch_settings_are_read_by_the_typed_readers(monkeypatch, caplog):
    monkeypatch.setenv("QABRIEF_FETCH_HOSTS", " WWW.fmprc.gov.cn. ,*.mfa.gov.cn,")
    monkeypatch.setenv("QABRIEF_FETCH_PORTS", "443,8443")
    monkeypatch.setenv("QABRIEF_FETCH_TIMEOUT_S", "7.5")
    monkeypatch.setenv("QABRIEF_FETCH_MAX_BYTES", "1000")
    policy = FetchPolicy.from_env()
    assert (policy.hosts, policy.ports, policy.timeout_s, policy.max_bytes) == (
        ("www.fmprc.gov.cn", "*.mfa.gov.cn"), (443, 8443), 7.5, 1000)
    monkeypatch.setenv("QABRIEF_FETCH_PORTS", "443,https")
    monkeypatch.setenv("QABRIEF_FETCH_TIMEOUT_S", "nan")
    monkeypatch.setenv("QABRIEF_FETCH_MAX_BYTES", "5MB")
    with caplog.at_level(logging.WARNING, logger="qabrief.settings"):
        policy = FetchPolicy.from_env()
    assert (policy.ports, policy.timeout_s, policy.max_bytes) == ((80, 443), 20.0, MAX_INPUT_BYTES)
    assert len(warnings(caplog)) == 3


def test_unknown_devices_are_dropped_and_named(monkeypatch, caplog):
    monkeypatch.setenv("QABRIEF_DEVICES", "auto,GPU,cpu,cpu")
    with caplog.at_level(logging.WARNING, logger="qabrief.settings"):
        assert ModelPolicy.from_env().devices == ("auto", "cpu")
    assert warnings(caplog) == ["QABRIEF_DEVICES: ignoring gpu (choose from auto, cpu, cuda, mps)"]
    monkeypatch.setenv("QABRIEF_DEVICES", "gpu")
    assert ModelPolicy.from_env().devices == ("auto",)


def test_paths_and_text(monkeypatch, tmp_path):
    monkeypatch.delenv("QABRIEF_MODELS_DIR")
    monkeypatch.delenv("QABRIEF_MODEL", raising=False)
    assert settings.path("QABRIEF_MODELS_DIR") == Path("models") and settings.text("QABRIEF_MODEL") is None
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("QABRIEF_MODEL", "opus-mt-zh-en")
    assert settings.path("QABRIEF_MODELS_DIR") == tmp_path and settings.text("QABRIEF_MODEL") == "opus-mt-zh-en"


def test_an_undeclared_or_mistyped_setting_is_a_programming_error():
    with pytest.raises(KeyError, match="QABRIEF_NOWHERE"):
        settings.flag("QABRIEF_NOWHERE")
    with pytest.raises(TypeError, match="int setting"):
        settings.flag("QABRIEF_CONCURRENCY")
    with pytest.raises(ValueError):
        settings.env_flag("QABRIEF_CACHE", True)


def test_the_app_starts_with_a_typo_in_qabrief_concurrency(monkeypatch):
    monkeypatch.setenv("QABRIEF_CONCURRENCY", "four")  # before: ValueError from int() in build_app
    from qabrief.app import build_app

    assert build_app()._queue.default_concurrency_limit == 4
