"""One reader and one column rule for every TSV of sentence pairs (issue 33): what
`qabrief memory export` writes (Chinese, English, source, date added) is read by `memory
import`, by `eval --reference` and as a glossary, each taking the same columns."""

import pytest

from qabrief import QabriefError, memory_import
from qabrief.cli import main
from qabrief.evaluation.references import load_reference
from qabrief.fidelity import Glossary
from qabrief.official import TranslationMemory
from qabrief.pairs import parse_pairs, read_pairs

PAIRS = [("谢谢。", "Thank you."), ("国务院新闻办公室", "State Council Information Office|SCIO"),
         ("外交部发言人", "Foreign Ministry Spokesperson")]


@pytest.fixture
def exported(tmp_path, monkeypatch, capsys):
    """`qabrief memory export` of a memory that imported PAIRS, as a file."""
    monkeypatch.setenv("QABRIEF_MEMORY_DIR", str(tmp_path / "memory"))
    source = tmp_path / "renderings.tsv"
    source.write_text("".join(f"{zh}\t{en}\n" for zh, en in PAIRS), encoding="utf-8")
    assert main(["memory", "import", str(source)]) == 0
    capsys.readouterr()
    assert main(["memory", "export"]) == 0
    out = tmp_path / "export.tsv"
    out.write_text(capsys.readouterr().out, encoding="utf-8")
    assert all(len(line.split("\t")) == 4 for line in out.read_text(encoding="utf-8").splitlines())
    return out


def test_what_memory_export_writes_is_read_by_all_three_readers(exported, tmp_path, monkeypatch):
    assert list(memory_import.read_tsv(exported)) == PAIRS
    name, references = load_reference(exported)  # before: "expected two columns"
    assert name == "export.tsv" and [(p.zh, p.en) for p in references] == PAIRS
    assert references[0].origin == "export.tsv:2"  # line 1 is the header comment
    glossary = Glossary.load(exported, builtin=False)  # before: column 2 read as Traditional, 3 (source) as English
    term = glossary.terms["国务院新闻办公室"]
    assert term.renderings == ("State Council Information Office", "SCIO") and term.source == "renderings.tsv"
    # and the export imports into another memory as it is
    monkeypatch.setenv("QABRIEF_MEMORY_DIR", str(tmp_path / "another"))
    assert main(["memory", "import", str(exported)]) == 0
    assert sorted(row[:2] for row in TranslationMemory().export()) == sorted(PAIRS)


def test_one_rule_two_columns_or_more():
    pairs = parse_pairs("# comment\n\n十四五\tthe 14th Five-Year Plan\n小巨人\tLittle Giants\tMIIT\t2026-01-01\tnote\n",
                        "mine.tsv")
    assert [(p.zh, p.en, p.source, p.origin) for p in pairs] == [
        ("十四五", "the 14th Five-Year Plan", "", "mine.tsv:3"), ("小巨人", "Little Giants", "MIIT", "mine.tsv:4")]


@pytest.mark.parametrize("line, says", [
    ("只有中文", "expected 'Chinese<TAB>English'"),
    ("\tEnglish only", "expected 'Chinese<TAB>English'"),
    ("中文\t  \tsource", "expected 'Chinese<TAB>English'"),
    ("工业和信息化部\t工業和信息化部\tMinistry of Industry and Information Technology\tmiit.gov.cn",
     "column 2 is Chinese, not English"),  # the glossary's old column order
])
def test_every_reader_names_the_file_and_line_of_a_bad_line(tmp_path, line, says):
    bad = tmp_path / "bad.tsv"
    bad.write_text(f"谢谢。\tThank you.\n{line}\n", encoding="utf-8")
    for read in (lambda: list(memory_import.read_tsv(bad)), lambda: load_reference(bad),
                 lambda: Glossary.load(bad, builtin=False), lambda: read_pairs(bad)):
        with pytest.raises(QabriefError) as caught:
            read()
        message = str(caught.value)
        assert message.startswith("bad.tsv:2: ") and says in message and "\n" not in message


def test_the_shipped_glossary_follows_the_rule():
    glossary = Glossary.load()
    assert len(glossary.terms) >= 200
    term = glossary.terms["工业和信息化部"]
    assert term.en == "Ministry of Industry and Information Technology" and term.source.startswith("MIIT")
    assert glossary.find("工業和信息化部發言人") == [term]  # Traditional text finds the Simplified term
