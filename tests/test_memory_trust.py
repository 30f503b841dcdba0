"""The memory cannot be poisoned (issue 31): a learned rendering is served only once independent
documents agree (a document submitted twice, or again with other whitespace or another title,
is one source); an operator's import replaces a learned rendering and keeps it as history; an
old memory file still opens, its unverifiable confirmations withdrawn."""

import sqlite3

import pytest

from qabrief.brief import all_turns, chinese_brief
from qabrief.cli import main
from qabrief.official import TranslationMemory
from qabrief.official.memory import document_identity

from corpus import BILINGUAL
from official_gold import conferences

needs_corpus = pytest.mark.skipif(not BILINGUAL.is_file(), reason="needs ../shared/corpus/bilingual")

SENTENCE = "中方坚决反对任何形式的单边制裁和长臂管辖。"
RIGHT = "China firmly opposes unilateral sanctions and long-arm jurisdiction."
WRONG = "The United States firmly opposes unilateral sanctions and long-arm jurisdiction."


def documents(date: str) -> tuple[str, str]:
    c = conferences()[date]
    return "\n".join([c["zh"]["title"], *c["zh"]["paras"]]), "\n".join([c["en"]["title"], *c["en"]["paras"]])


def reformatted(text: str, title: str, new_title: str) -> str:
    """The same document with other whitespace (blank lines, indents, trailing tabs, an ideographic
    space inside a sentence) and another title."""
    lines = [line.replace("，", "，\u3000", 1).replace(", ", ",  ", 1) for line in text.split("\n")]
    return "\n\n".join(f"  {line} \t" for line in lines).replace(title, new_title)


def shown_from_memory(zh: str, memory) -> tuple[int, int]:
    """(sentences shown with memory English, sentences with a hint) of a Chinese-only brief."""
    sentences = [s for t in all_turns(chinese_brief(zh, memory=memory)) for s in t.sentences]
    return sum(s.en_source == "memory" for s in sentences), sum(bool(s.hint) for s in sentences)


@needs_corpus
def test_a_document_submitted_twice_or_reformatted_confirms_nothing_and_another_document_does(tmp_path):
    date = "2018-05-22"
    zh, en = documents(date)
    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    chinese_brief(zh, english=en, memory=memory)
    chinese_brief(zh, english=en, memory=memory)  # the same two-document brief, submitted again
    stats = memory.stats()
    assert stats["pairs"] >= 30 and stats["documents"] == 1 and stats["confirmed"] == 0
    served, hinted = shown_from_memory(zh, memory)
    assert served == 0 and hinted >= 30  # seen twice from one source: hints beside the English, never as it

    c = conferences()[date]
    chinese_brief(reformatted(zh, c["zh"]["title"], c["zh"]["title"] + "（全文）"),
                  english=reformatted(en, c["en"]["title"], "Transcript: " + c["en"]["title"]), memory=memory)
    assert memory.stats()["documents"] == 1 and memory.stats()["confirmed"] == 0
    assert shown_from_memory(zh, memory)[0] == 0

    # another document that agrees (the conference with the next one's paragraphs after it): confirmed
    other_zh, other_en = documents("2018-05-23")
    chinese_brief(zh + "\n" + other_zh.split("\n", 1)[1], english=en + "\n" + other_en.split("\n", 1)[1],
                  memory=memory)
    assert memory.stats()["documents"] == 2 and memory.stats()["confirmed"] >= 25
    assert shown_from_memory(zh, memory)[0] >= 25


def test_independent_means_another_chinese_and_another_english_document(tmp_path):
    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    a, b = document_identity("第一份文件。", "The first."), document_identity("第二份文件。", "The second.")
    assert document_identity(" 第一份\u3000文件。\n", "The  first.\n") == a  # whitespace is no new source
    assert memory.add([(SENTENCE, RIGHT)], "a", document=a) == 1
    assert not memory.lookup(SENTENCE).confirmed
    memory.add([(SENTENCE, RIGHT)], "a again", document=a)
    memory.add([(SENTENCE, RIGHT)], "a, other English", document=(a[0], b[1]))  # the same Chinese document
    assert not memory.lookup(SENTENCE).confirmed
    memory.add([(SENTENCE, RIGHT)], "b", document=b)
    assert memory.lookup(SENTENCE).confirmed and memory.lookup(SENTENCE).en == RIGHT
    # a disagreeing document withdraws the confirmation: the memory cannot tell which is right
    memory.add([(SENTENCE, WRONG)], "c", document=document_identity("第三份文件。", "The third."))
    assert not memory.lookup(SENTENCE).confirmed

    # tampered English first, then a genuine document: the swap of two names is no agreement
    first = TranslationMemory(tmp_path / "first.sqlite3")
    first.add([(SENTENCE, WRONG)], "tampered", document=a)
    first.add([(SENTENCE, RIGHT)], "genuine", document=b)
    assert not first.lookup(SENTENCE).confirmed

    unnamed = TranslationMemory(tmp_path / "unnamed.sqlite3")  # no document given: the pairs' own content is it
    unnamed.add([(SENTENCE, RIGHT)], "pairs")
    unnamed.add([(" " + SENTENCE, RIGHT + " ")], "the same pairs, under another name")
    assert not unnamed.lookup(SENTENCE).confirmed and unnamed.stats()["documents"] == 1
    unnamed.add([(SENTENCE, RIGHT), ("另一句话在这里。", "Another sentence here.")], "other pairs")
    assert unnamed.lookup(SENTENCE).confirmed


def test_an_import_replaces_a_learned_rendering_and_keeps_it_as_history(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QABRIEF_MEMORY_DIR", str(tmp_path / "data"))
    memory = TranslationMemory()
    for n in (1, 2):  # the wrong rendering, confirmed by two documents that agree
        memory.add([(SENTENCE, WRONG)], f"doc {n}", document=document_identity(f"文件{n}。", f"Doc {n}."))
    assert memory.lookup(SENTENCE).confirmed and memory.lookup(SENTENCE).en == WRONG
    tsv = tmp_path / "right.tsv"
    tsv.write_text(f"{SENTENCE}\t{RIGHT}\n", encoding="utf-8")
    assert main(["memory", "import", str(tsv)]) == 0
    assert "1 earlier renderings replaced" in capsys.readouterr().out
    match = TranslationMemory().lookup(SENTENCE)
    assert match.en == RIGHT and match.confirmed and match.source == "right.tsv"
    assert TranslationMemory().replaced() == [(SENTENCE, WRONG, "doc 1", match.added, "right.tsv", RIGHT)]
    assert main(["memory", "stats"]) == 0
    out = capsys.readouterr().out
    assert "replaced by an import: 1" in out and "1 imported" in out
    # the same import again replaces nothing; a learned sighting never overrides the import
    assert main(["memory", "import", str(tsv)]) == 0 and "replaced" not in capsys.readouterr().out
    memory.add([(SENTENCE, WRONG)], "doc 3", document=document_identity("文件3。", "Doc 3."))
    assert TranslationMemory().lookup(SENTENCE).en == RIGHT and TranslationMemory().stats()["replaced"] == 1
    # a TMX import replaces too
    tmx = tmp_path / "better.tmx"
    tmx.write_text(f'<tmx><body><tu><tuv xml:lang="zh"><seg>{SENTENCE}</seg></tuv><tuv xml:lang="en"><seg>China '
                   'resolutely opposes unilateral sanctions.</seg></tuv></tu></body></tmx>', encoding="utf-8")
    assert main(["memory", "import", str(tmx)]) == 0
    assert TranslationMemory().lookup(SENTENCE).en == "China resolutely opposes unilateral sanctions."
    assert TranslationMemory().stats()["replaced"] == 2


OLD_SCHEMA = """
CREATE TABLE pairs (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, zh TEXT NOT NULL, en TEXT NOT NULL,
    source TEXT NOT NULL, added TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 1, agree INTEGER NOT NULL DEFAULT 1,
    trusted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE grams (gram TEXT NOT NULL, pair INTEGER NOT NULL);
CREATE INDEX grams_by_gram ON grams (gram);
CREATE TABLE gram_counts (gram TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
"""


def test_a_memory_from_before_opens_and_its_unverifiable_confirmations_become_hints(tmp_path):
    from qabrief.official import normalise

    path = tmp_path / "memory.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    imported = "我们已建成超过一百万座第五代移动通信基站。"
    rows = [(SENTENCE, WRONG, "briefs", 2, 2, 0),  # "confirmed" by two sightings, maybe one document twice
            (imported, "We have built more than a million 5G base stations.", "glossary.tmx", 1, 1, 1)]
    for zh, en, source, seen, agree, trusted in rows:
        old.execute("INSERT INTO pairs (key, zh, en, source, added, seen, agree, trusted) VALUES (?, ?, ?, ?, ?, ?, "
                    "?, ?)", (normalise(zh), zh, en, source, "2024-01-01", seen, agree, trusted))
    old.commit()
    old.close()
    memory = TranslationMemory(path)
    assert memory.stats()["pairs"] == 2
    assert not memory.lookup(SENTENCE).confirmed and memory.lookup(SENTENCE).en == WRONG  # a hint now
    assert memory.lookup(imported).confirmed  # an import stays served
    for n in (1, 2):  # two independent documents confirm it, as any learned rendering
        memory.add([(SENTENCE, WRONG)], f"doc {n}", document=document_identity(f"文件{n}。", f"Doc {n}."))
    assert memory.lookup(SENTENCE).confirmed
    assert memory.add([("新的句子在这里。", "A new sentence here.")], "new") == 1
    reopened = TranslationMemory(path)  # the migration runs once
    assert reopened.lookup(SENTENCE).confirmed and reopened.stats()["pairs"] == 3
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2


def test_an_empty_tmx_warns_and_a_tsv_that_is_not_utf8_says_to_save_it_as_utf8(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QABRIEF_MEMORY_DIR", str(tmp_path / "data"))
    empty = tmp_path / "empty.tmx"
    empty.write_text('<?xml version="1.0"?><tmx version="1.4"><header/><body></body></tmx>', encoding="utf-8")
    assert main(["memory", "import", str(empty)]) == 0
    captured = capsys.readouterr()
    assert "warning: empty.tmx: no translation units" in captured.err and "0 read" not in captured.out
    gbk = tmp_path / "pairs.tsv"
    gbk.write_bytes("# 中文\tEnglish\n谢谢。\tThank you.\n".encode("gbk"))
    assert main(["memory", "import", str(gbk)]) == 2
    err = capsys.readouterr().err
    assert "pairs.tsv:1: not UTF-8" in err and "save it as UTF-8" in err
    utf16 = tmp_path / "utf16.tmx"  # a TMX read in the encoding it declares
    utf16.write_text('<?xml version="1.0" encoding="UTF-16"?><tmx><body><tu><tuv xml:lang="zh"><seg>谢谢。</seg></tuv>'
                     '<tuv xml:lang="en"><seg>Thank you.</seg></tuv></tu></body></tmx>', encoding="utf-16")
    assert main(["memory", "import", str(utf16)]) == 0 and "1 new renderings stored (1 read)" in capsys.readouterr().out
