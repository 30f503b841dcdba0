"""HTML pages → the transcript they carry: main text, headline, date.

trafilatura finds the main content of news and government pages, which lets qabrief
drop navigation, share buttons, related links, comment threads and footers; its metadata
gives the headline. The hand-written extractor (every visible block, one a line) still
produces the lines, and remains the whole answer for fragments trafilatura declines (a
pasted `<p>…</p>`), for long pages where it kept little, and when it is not installed.
benchmarks/reading_pages.py measures both on the corpus transcripts wrapped in page chrome.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .script import han_count

_HTML_HINT = re.compile(r"<(!doctype html|html|body|p|div|br|span|table|meta|head)\b", re.I)


def looks_like_html(text: str) -> bool:
    return len(_HTML_HINT.findall(text[:20000])) >= 2


class _TextExtractor(HTMLParser):
    BLOCK = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
        "article", "header", "footer", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "hr",
    }
    HIDDEN = {"script", "style", "noscript", "template", "head", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in self.HIDDEN:
            self._hidden += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            self.parts.append(data)


def html_to_text(page: str) -> tuple[str, str | None]:
    """Visible text of an HTML page (one block a line) and its <title>."""
    parser = _TextExtractor()
    parser.feed(page)
    parser.close()
    # convert_charrefs=True already decoded every entity once: a literal "&lt;" on the page
    # arrives as "<" and must stay so (a second unescape would turn "&amp;lt;" into "<").
    raw = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\u3000]+", " ", line).strip() for line in raw.split("\n")]
    text = "\n".join(line for line in lines if line)
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip() or None
    return text, title



def extract_page(page: str) -> tuple[str, str | None]:
    """(main text, headline) of a page.

    trafilatura says where the main content is; the text kept is every visible line of
    the page from the headline to the last line trafilatura kept. Its own text is not
    used as such: it drops short paragraphs, and a speaker label alone on its line
    ("肖亞慶:") is a short paragraph; its date guess is not used either (on a page whose
    only date read "2021/9/19" it returned 2012-01-01)."""
    text, title = html_to_text(page)
    try:
        import trafilatura
    except ImportError:
        return text, title
    doc = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False, include_tables=True,
                                      favor_recall=True)
    if doc is None or not doc.text:
        return text, title  # a fragment, not a page: keep every block
    lines = text.split("\n")
    squashed = [_squash(line) for line in lines]
    kept = [i for i in _positions(squashed, [_squash(x) for x in doc.text.split("\n") if han_count(x) >= 4])]
    if not kept:
        return text, title
    headline = _squash(doc.title or title or "")
    above = [i for i in range(kept[0]) if han_count(squashed[i]) >= 4
             and (squashed[i] in headline or headline in squashed[i])] if headline else []
    if above:  # from the headline down: the date and source lines under it are the header
        start = above[-1]
    else:
        start = _extend(lines, kept[0], -1, stop=0)
    end = _extend(lines, kept[-1], +1, stop=len(lines) - 1)
    main = "\n".join(lines[start:end + 1])
    if han_count(main) < 0.5 * han_count(text) and han_count(text) - han_count(main) > 2000:
        return text, title  # it picked a small part of a long page: safer to keep everything
    return main, doc.title or title


_LABEL_START = re.compile(r"^\s*[\[【]?([^:：︰\[\]【】\s]{1,20}(?:\s[^:：︰\s]{1,12})?)[\]】]?\s*[:：︰]")


def _extend(lines: list[str], index: int, step: int, stop: int) -> int:
    """Widen the main text past what trafilatura kept, line by line, while the lines read
    like the transcript (a speaker label, or a paragraph of sentences): it sometimes drops
    a first question or a last answer, which would put words in the wrong mouth."""
    from .speakers import classify_label

    while 0 <= index + step < len(lines) and (index + step <= stop if step > 0 else index + step >= stop):
        line = lines[index + step]
        label = _LABEL_START.match(line)
        paragraph = han_count(line) >= 10 and re.search(r"[。？！?!]", line)
        if not ((label and classify_label(label.group(1))) or paragraph):
            break
        index += step
    return index


def _squash(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _positions(lines: list[str], wanted: list[str]) -> list[int]:
    """Indices in `lines` of the wanted lines, matched in order (containment either way)."""
    out, i = [], 0
    for want in wanted:
        for j in range(i, len(lines)):
            if lines[j] and (want in lines[j] or (len(lines[j]) >= 8 and lines[j] in want)):
                out.append(j)
                i = j + 1
                break
    return out
