"""Title, date and source off the top of a transcript; where its body starts.

Kept apart from the turns (`parser.py`): the header is read once, line by line, before any
label is looked for, and the only thing it shares with the labels is the question whether a
line starts with one (a labelled line ends the header, a headline with a colon does not).
"""

from __future__ import annotations

import re

from .families.colon import label_at_start
from .lines import PAGER_LINE
from .script import han_count
from .speakers import classify_label

_DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?)?"
)
_SOURCE_RE = re.compile(r"(?:来源|來源|出处|出處|稿源)\s*[:：]\s*(?P<src>[^\s|｜]+)")
_BOILERPLATE_RE = re.compile(
    r"点击次数|點擊次數|点击数|點擊數|浏览次数|瀏覽次數|阅读量|閱讀量|阅读次数|閱讀次數|责任编辑|責任編輯|"
    r"字号|字號|打印本页|打印本頁|关闭窗口|關閉窗口|分享到|发布时间|發布時間|发布日期|發布日期"
)


def read_header(text: str, lines: list[tuple[int, int]], html_title: str | None = None) -> tuple[dict, int]:
    """Title, date and source from the first few lines; returns (meta, first body line).

    For an HTML page the <title> tells which line is the headline; the short lines above
    it (navigation, breadcrumbs) are page furniture, not transcript.
    """
    meta: dict = {}
    i = 0
    if html_title:
        meta["title"] = html_title
        for k, (a, b) in enumerate(lines[:15]):
            line = text[a:b]
            if han_count(line) >= 4 and (line in html_title or html_title in line):
                if all(not re.search(r"[。？！?!]", text[x:y]) and y - x <= 40 for x, y in lines[:k]):
                    meta["title"], i = line, k + 1
                break
    limit = min(len(lines), i + 8)
    furniture = i  # lines above the headline that are only page furniture
    while i < limit:
        line = text[lines[i][0] : lines[i][1]]
        if len(line) > 120 or (_starts_with_label(line) and
                               not (i == furniture and _looks_like_title(line, len(lines) - furniture))):
            break
        matched = False
        if (m := _DATE_RE.search(line)) and "date" not in meta and (len(line) < 60):
            meta["date"] = _iso(m)
            matched = True
            # "2018年5月17日外交部发言人陆慷主持例行记者会": the headline carries its date
            if "title" not in meta and i == furniture and han_count(line[:m.start()] + line[m.end():]) >= 6 \
                    and _looks_like_title(line, len(lines) - furniture):
                meta["title"] = line
        if (m := _SOURCE_RE.search(line)) and "source" not in meta:
            meta["source"] = m.group("src").strip("。.")
            matched = True
        if PAGER_LINE.match(line) and i == furniture:  # 】 【打 印】 above the headline
            furniture += 1
            matched = True
        if _BOILERPLATE_RE.search(line):
            matched = True
        if not matched:
            if "title" in meta or i > furniture or not _looks_like_title(line, len(lines) - furniture):
                break
            meta["title"] = line
        i += 1
    if meta.get("title"):
        meta["title"] = drop_spam_prefix(meta["title"], text[lines[i][0]:] if i < len(lines) else "")
    return meta, i


# A mirror site's search-spam keyword glued before a copied headline: a product code of letters and
# digits (Q355B, 304L) and a few Han characters (矩形管) — "Q355B矩形管工信部:推進制造強國…"
_SPAM_PREFIX = re.compile(r"^(?=[A-Za-z0-9-]*[A-Za-z])(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{3,}[\u4e00-\u9fff]{0,8}")


def drop_spam_prefix(title: str, body: str) -> str:
    """The headline without a leading spam keyword. Only a code the body never mentions goes, and
    only up to where the rest of the headline starts with words the body uses (工信部 is in the
    body, 矩形管工 is not): "5G發展…" over a transcript about 5G keeps its 5G."""
    m = _SPAM_PREFIX.match(title)
    if not m or not body:
        return title
    code = re.match(r"[A-Za-z0-9-]+", title).group()
    if code.lower() in body.lower():
        return title
    for cut in range(len(code), m.end() + 1):
        rest = title[cut:]
        if han_count(rest[:3]) == 3 and rest[:3] in body:
            return rest
    return title


def _looks_like_title(line: str, n_lines: int) -> bool:
    if n_lines < 2 or re.search(r"[。？！?!；]", line) or han_count(line) < 4:
        return False
    found = label_at_start(line)
    if found and (speaker := classify_label(found.raw)):
        # "王國慶:中國經濟仍將是…" is a headline; "主持人：…" or "記者：…" is not.
        return speaker.role == "official" and speaker.title is None and len(line) > found.end + 4
    return True


def _starts_with_label(line: str) -> bool:
    found = label_at_start(line)
    return bool(found and found.has_colon and classify_label(found.raw))


def _iso(m: re.Match) -> str:
    date = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
    if m["H"]:
        date += f"T{int(m['H']):02d}:{m['M']}:{m['S'] or '00'}"
    return date
