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


def test_keywords_of_the_seed_are_unchanged_by_the_compact_table(seed_transcript, monkeypatch):
    import jieba.analyse

    from qabrief.summarize import keywords as kw

    sentences = [s.text for seg in seed_transcript.segments for t in seg.answer for s in t.sentences]
    ours = kw.keywords(sentences, k=8)
    kw._extractor.cache_clear()
    monkeypatch.setattr(kw, "_extractor", lambda: jieba.analyse.TFIDF())  # jieba's own, full dict
    assert kw.keywords(sentences, k=8) == ours and len(ours) == 8
