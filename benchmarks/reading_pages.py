"""Reading real pages: the hand-written path against the libraries made for the job.

    python benchmarks/reading_pages.py

Every corpus transcript (../shared/corpus/transcripts) is wrapped in page chrome (tests/pages.py:
navigation, breadcrumbs, share buttons, related articles, comments, footer) and saved in
UTF-8, GBK and Big5 (characters an encoding lacks become character references). Then:

1. Main text: qabrief's HTML-to-text (`html.parser`, every visible block, <title> for the
   headline) against trafilatura's `bare_extraction` (main content, title and date). For each,
   the speaker turns found (against the hand-written turns of tests/data/parse_corpus), chrome
   strings that leaked into the turns, and whether the headline and date were kept.
2. Encoding: the hand-written rule (UTF-8, else the page's declared Big5, else GB18030 /
   Big5-HKSCS, the one whose text falls more into dictionary words) against charset-normalizer
   limited to the Chinese encodings, on the same bytes (pages, and plain-text files where the
   encoding can hold the text): how many decode to exactly what was saved, and the time taken.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

ENCODINGS = ("utf-8", "gbk", "big5")


def documents():
    from qabrief import parse

    from corpus import TRANSCRIPTS, corpus_names, transcript_text

    for name in corpus_names():
        text = transcript_text(TRANSCRIPTS / f"{name}.txt")
        plain = parse(text)
        headline = plain.title or "新闻发布会实录"
        yield name, text, headline, (plain.date or "2024-03-08")[:10]


def score_extraction(name, extracted_text, headline, date, title=None):
    from qabrief import parse

    from corpus import score_turns
    from pages import CHROME_STRINGS

    transcript = parse(extracted_text)
    score = score_turns(name, transcript)
    turn_text = "".join(s.text for t in transcript.turns for s in t.sentences)
    leaked = sum(1 for c in CHROME_STRINGS if c in turn_text)
    return score, leaked, (title or transcript.title) == headline, transcript.date is not None and \
        transcript.date.startswith(date)


def labels_on_own_lines(name: str, text: str) -> str:
    """The same transcript with each `label:` alone on its line (a common page layout)."""
    from corpus import expected_turns

    for label in {t["label"] for t in expected_turns(name) if t["label"]}:
        text = re.sub(rf"(^|\n)([ \t]*{re.escape(label)}[:：︰])[ \t]*(?=\S)", r"\1\2\n", text)
    return text


def main() -> int:
    import charset_normalizer
    import trafilatura

    from qabrief.parse.reading import decode_bytes
    from qabrief.parse.webpage import extract_page, html_to_text

    from pages import page_bytes, page_html

    def trafilatura_text(html):
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True,
                                          favor_recall=True)
        return "\n".join(x for x in (doc.title, doc.date, doc.text) if x)

    methods = {"every block (html.parser)": lambda html: html_to_text(html)[0],
               "trafilatura's text": trafilatura_text,
               "qabrief (trafilatura span)": lambda html: extract_page(html)[0]}
    for layout in ("as stored", "labels on own lines"):
        rows: dict[str, list] = {m: [] for m in methods}
        for name, text, headline, date in documents():
            body = text if layout == "as stored" else labels_on_own_lines(name, text)
            html = page_html(headline, date, body)
            for method, extract in methods.items():
                rows[method].append(score_extraction(name, extract(html), headline, date))
        print(f"\n{layout:28s} {'turns found':>12s} {'F1':>6s} {'chrome leaked':>14s} {'headline':>9s} {'date':>6s}")
        for method, scores in rows.items():
            expected = sum(s.expected for s, *_ in scores)
            matched = sum(s.matched for s, *_ in scores)
            predicted = sum(s.predicted for s, *_ in scores)
            p, r = matched / max(1, predicted), matched / expected
            print(f"{method:28s} {matched:5d} / {expected:<5d} {2 * p * r / (p + r):6.3f} "
                  f"{sum(x[1] for x in scores):14d} {sum(x[2] for x in scores):4d} / {len(scores):<2d} "
                  f"{sum(x[3] for x in scores):3d}/{len(scores)}")
    print(f"\n{'encoding':22s} " + " ".join(f"{e:>12s}" for e in ENCODINGS) + f" {'seconds':>9s}")
    pages = [(e, page_bytes(h, d, t, e)) for _, t, h, d in documents() for e in ENCODINGS]
    plain = [(e, b) for _, t, _, _ in documents() for e in ENCODINGS if (b := _strict(t, e)) is not None]
    for what, items in (("pages", pages), ("plain text", plain)):
        _decoders(what, items, charset_normalizer, decode_bytes)
    return 0


def _strict(text: str, encoding: str) -> bytes | None:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:  # a plain-text file cannot hold what its encoding lacks
        return None


def _decoders(what, items, charset_normalizer, decode_bytes) -> None:
    expected = {id(b): b.decode(e) for e, b in items}
    totals = {e: sum(1 for x, _ in items if x == e) for e in ENCODINGS}
    print(f"{what}: " + ", ".join(f"{totals[e]} in {e}" for e in ENCODINGS))
    for method in ("hand-written rule", "charset-normalizer"):
        right = dict.fromkeys(ENCODINGS, 0)
        start = time.perf_counter()
        for enc, data in items:
            if method == "hand-written rule":
                got = decode_bytes(data, detector=False)[0]
            else:
                best = charset_normalizer.from_bytes(data).best()
                got = str(best) if best is not None else ""
            right[enc] += got == expected[id(data)]
        seconds = time.perf_counter() - start
        print(f"  {method:20s} " + " ".join(f"{right[e]:5d} / {totals[e]:<4d}" for e in ENCODINGS)
              + f" {seconds:9.2f}")


if __name__ == "__main__":
    sys.exit(main())
