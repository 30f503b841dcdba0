"""The store of tiny test models (tests/tiny_models.py): built once per set of inputs, never trusted damaged."""

from pathlib import Path

import pytest

import tiny_models

SCRIPT = tiny_models.ROOT / "scripts" / "make_tiny_model.py"


def counting_build(calls: list[Path]):
    def build(folder: Path) -> None:
        calls.append(folder)
        (folder / "weights.bin").write_bytes(b"\x00" * 64)
        (folder / "sub").mkdir()
        (folder / "sub" / "vocab.json").write_text("{}", encoding="utf-8")
    return build


def test_a_model_is_built_once_and_then_found(tmp_path, monkeypatch):
    monkeypatch.setenv("QABRIEF_TEST_MODELS", str(tmp_path / "store"))
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("谢谢。\tThank you.\n", encoding="utf-8")
    calls: list[Path] = []
    first = tiny_models.cached("m", counting_build(calls), scripts=[SCRIPT], inputs=[pairs], arguments=["--x"])
    again = tiny_models.cached("m", counting_build(calls), scripts=[SCRIPT], inputs=[pairs], arguments=["--x"])
    assert first == again and len(calls) == 1 and first.parent == tmp_path / "store"
    assert (first / "sub" / "vocab.json").read_text(encoding="utf-8") == "{}"
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".building")]  # built aside, renamed
    copy = tiny_models.private_copy(first, tmp_path / "copy")
    (copy / "weights.bin").write_bytes(b"changed")  # a test changing its copy leaves the store alone
    assert tiny_models.cached("m", counting_build(calls), scripts=[SCRIPT], inputs=[pairs], arguments=["--x"]) == first
    assert len(calls) == 1 and not (copy / tiny_models.MANIFEST).exists()


def test_the_key_follows_contents_arguments_and_sources_not_paths(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "elsewhere.tsv"
    a.write_text("x\ty\n", encoding="utf-8")
    b.write_text("x\ty\n", encoding="utf-8")
    key = tiny_models.key("m", [SCRIPT], [a], ["--x"])
    assert key == tiny_models.key("m", [SCRIPT], [b], ["--x"])  # the same file elsewhere
    assert key != tiny_models.key("m", [SCRIPT], [a], ["--y"])
    assert key != tiny_models.key("m", [tiny_models.ROOT / "scripts" / "make_tiny_quickmt.py"], [a], ["--x"])
    b.write_text("x\tz\n", encoding="utf-8")
    assert key != tiny_models.key("m", [SCRIPT], [b], ["--x"])
    # the script's own source, and the qabrief modules it reaches, are in the key
    sources = {p.relative_to(tiny_models.ROOT).as_posix() for p in tiny_models.source_closure([SCRIPT])}
    assert {"scripts/make_tiny_model.py", "src/qabrief/parse/parser.py", "src/qabrief/__init__.py"} <= sources
    causal = {p.relative_to(tiny_models.ROOT).as_posix()
              for p in tiny_models.source_closure([tiny_models.ROOT / "scripts" / "make_tiny_causal_lm.py"])}
    assert {"src/qabrief/translate/prompts.py", "src/qabrief/translate/prepare.py"} <= causal


def test_a_damaged_or_partial_entry_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("QABRIEF_TEST_MODELS", str(tmp_path / "store"))
    calls: list[Path] = []

    def get():
        return tiny_models.cached("m", counting_build(calls), scripts=[SCRIPT])

    entry = get()
    (entry / "weights.bin").write_bytes(b"\x00" * 63)  # truncated
    assert get() == entry and len(calls) == 2 and (entry / "weights.bin").stat().st_size == 64
    (entry / tiny_models.MANIFEST).unlink()  # as if the build had stopped before closing it
    assert get() == entry and len(calls) == 3
    (entry / "stray.txt").write_text("?", encoding="utf-8")  # a file the manifest does not list
    assert get() == entry and len(calls) == 4 and not (entry / "stray.txt").exists()
    (entry / tiny_models.MANIFEST).write_text("{not json", encoding="utf-8")
    assert get() == entry and len(calls) == 5


def test_a_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("QABRIEF_TEST_MODELS", str(tmp_path / "store"))

    def failing(folder: Path) -> None:
        (folder / "half.bin").write_bytes(b"\x01")
        raise RuntimeError("training diverged")

    with pytest.raises(RuntimeError, match="diverged"):
        tiny_models.cached("m", failing, scripts=[SCRIPT])
    assert [p.name for p in (tmp_path / "store").iterdir() if not p.name.endswith(".lock")] == []


def test_off_means_no_store(monkeypatch):
    monkeypatch.setenv("QABRIEF_TEST_MODELS", "off")
    assert tiny_models.cached("m", lambda folder: None, scripts=[SCRIPT]) is None


def test_entries_unused_for_long_are_pruned_when_another_is_built(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("QABRIEF_TEST_MODELS", str(tmp_path / "store"))
    calls: list[Path] = []
    old = tiny_models.cached("m", counting_build(calls), scripts=[SCRIPT], arguments=["--old"])
    recent = tiny_models.cached("m", counting_build(calls), scripts=[SCRIPT], arguments=["--recent"])
    other = tiny_models.cached("mm", counting_build(calls), scripts=[SCRIPT], arguments=["--old"])
    long_ago = os.stat(old).st_mtime - (tiny_models.KEEP_DAYS + 1) * 86400
    for entry in (old, other):
        os.utime(entry / tiny_models.MANIFEST, (long_ago, long_ago))
        os.utime(entry, (long_ago, long_ago))
    tiny_models.cached("m", counting_build(calls), scripts=[SCRIPT], arguments=["--new"])
    assert not old.exists() and recent.exists() and other.exists()  # only its own name's stale entries
