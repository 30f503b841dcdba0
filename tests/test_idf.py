"""The compact IDF table answers exactly as jieba's own dict does."""

from jieba.analyse.tfidf import DEFAULT_IDF, IDFLoader

from qabrief.summarize.idf import CompactIDF


def test_every_word_median_and_miss_match_jiebas_table():
    compact = CompactIDF(DEFAULT_IDF)
    table, median = IDFLoader(DEFAULT_IDF).get_idf()
    assert len(compact) == len(table) > 200_000
    assert compact.median == median
    assert all(compact.get(word) == idf for word, idf in table.items())
    assert compact.get("不是一个词语吧", median) == median and compact.get("") is None
    assert compact.get("\uffff") is None and compact.get(" ") is None


def _segment_texts(seed_text):
    from qabrief import parse

    from corpus import CORPUS

    texts = [seed_text] + [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "transcripts").glob("*.txt"))]
    for text in texts:
        for seg in parse(text).segments:
            yield "".join(s.text for t in seg.answer for s in t.sentences)


def test_terms_are_jiebas_own_extract_tags(seed_text):
    """Our TF-IDF over the compact table gives jieba.analyse's terms, in its order, for every
    answer of the seed and the corpus."""
    import jieba.analyse

    from qabrief.parse.script import to_simplified
    from qabrief.summarize.keywords import _NOUNS, tfidf_terms

    checked = 0
    for text in _segment_texts(seed_text):
        simp = to_simplified(text)
        assert tfidf_terms(simp, 15) == jieba.analyse.extract_tags(simp, topK=15, allowPOS=_NOUNS)
        checked += 1
    assert checked > 50


def test_keywords_never_build_jiebas_idf_dict(seed_path):
    """Importing jieba.analyse builds its 350k-word IDF dict (~42 MB): keywords must not."""
    import subprocess
    import sys

    script = ("import sys; from qabrief import parse; from qabrief.summarize.keywords import keywords; "
              "from pathlib import Path; seg = parse(Path(sys.argv[1])).segments[2]; "
              "k = keywords([s.text for t in seg.answer for s in t.sentences]); "
              "print(len(k), 'jieba.analyse' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script, str(seed_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["5", "False"]
