"""A public server keeps nothing of its visitors by default (issue 31): with QABRIEF_PUBLIC on,
or SPACE_ID set (Hugging Face Spaces), the memory learns nothing and no translation is cached
unless the operator turns either on, and the page says what is and is not kept."""

from pathlib import Path

import pytest

from qabrief import app
from qabrief.official.memory import learning_enabled
from qabrief.settings import public_server
from qabrief.translate.cache import cache_enabled

from corpus import BILINGUAL
from official_gold import conferences, zh_sentences

needs_corpus = pytest.mark.skipif(not BILINGUAL.is_file(), reason="needs ../shared/corpus/bilingual")


@pytest.fixture
def private(monkeypatch):
    for name in ("SPACE_ID", "QABRIEF_PUBLIC", "QABRIEF_MEMORY", "QABRIEF_MEMORY_LEARN", "QABRIEF_CACHE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_public_mode_turns_learning_and_the_cache_off_unless_the_operator_turns_them_on(private):
    assert not public_server() and learning_enabled() and cache_enabled()
    private.setenv("SPACE_ID", "someone/qabrief")
    assert public_server() and not learning_enabled() and not cache_enabled()
    private.setenv("QABRIEF_PUBLIC", "off")  # the operator's word beats the Space's
    assert not public_server() and learning_enabled() and cache_enabled()
    private.delenv("SPACE_ID")
    private.setenv("QABRIEF_PUBLIC", "on")
    assert public_server() and not learning_enabled() and not cache_enabled()
    private.setenv("QABRIEF_MEMORY_LEARN", "on")
    assert learning_enabled() and not cache_enabled()
    private.setenv("QABRIEF_CACHE", "yes")
    assert cache_enabled()
    private.setenv("QABRIEF_MEMORY", "off")  # no memory: nothing to learn into
    assert not learning_enabled()


def test_the_page_says_what_is_and_is_not_kept(private):
    private.setenv("QABRIEF_PUBLIC", "on")
    notice = app.keeping_notice()
    assert "Kept:" not in notice and "Not kept: the official English you give" in notice
    assert "translation cache" in notice and "an hour" in notice
    private.setenv("QABRIEF_CACHE", "on")
    notice = app.keeping_notice()
    assert "Kept: the machine English of your sentences" in notice and "Not kept: the official English" in notice


def visitor_text_on_disk(folders: list[Path], sentences: list[str]) -> list[tuple[str, str]]:
    """(file, sentence) for every sentence of the visitor's found in a file under the folders."""
    found = []
    for folder in folders:
        for path in folder.rglob("*") if folder.exists() else ():
            if path.is_file():
                data = path.read_bytes()
                found += [(path.name, s) for s in sentences if s.encode("utf-8") in data]
    return found


@needs_corpus
@pytest.mark.parametrize("public", [True, False])
def test_a_public_brief_with_official_english_leaves_no_visitor_text_on_disk(private, tmp_path, public):
    data, cache = tmp_path / "data", tmp_path / "cache"
    private.setenv("QABRIEF_MEMORY_DIR", str(data))
    private.setenv("QABRIEF_CACHE_DIR", str(cache))
    if public:
        private.setenv("QABRIEF_PUBLIC", "on")
    c = conferences()["2018-05-22"]
    chinese = "\n".join([c["zh"]["title"], *c["zh"]["paras"]])
    english = "\n".join([c["en"]["title"], *c["en"]["paras"]])
    brief = app.api_brief(chinese, 0, True, "none", english, "official")
    shown = [s for seg in brief["segments"] for t in [seg["question"], *seg["answers"]] if t for s in t["sentences"]]
    assert sum(s["en_source"] == "official" for s in shown) >= 30  # the brief did use the official English
    sentences = [s for p in c["zh"]["paras"] for s in zh_sentences(p) if len(s) >= 8]
    sentences += [s for s in (x["en"] for x in shown if x["en_source"] == "official") if len(s) >= 20]
    found = visitor_text_on_disk([data, cache], sentences)
    if public:
        assert found == []
    else:  # the walk finds what a private server keeps: the memory learned the visitor's renderings
        assert len(found) >= 30
