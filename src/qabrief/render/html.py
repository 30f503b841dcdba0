"""HTML: one layout for the app view and the downloadable page (standalone=True wraps it).

Every piece of text that came from the user or a model is escaped with `html.escape`;
the only markup is ours. Cards: a header card, then one per Q&A with the Chinese and
English summaries side by side, and the full text (summary sentences highlighted) in an
expandable section.
"""

from __future__ import annotations

from html import escape

from ..brief import (
    MAX_FIGURES,
    MAX_FIGURES_PER_SENTENCE,
    UNLABELLED,
    UNLABELLED_OPENING,
    Brief,
    BriefSegment,
    BriefSentence,
    BriefTurn,
    all_turns,
)
from ..official.attach import WITH_PREVIOUS

CSS = """
.qab{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2733;line-height:1.5;max-width:1100px}
.qab .card{border:1px solid #d9dee5;border-radius:10px;padding:14px 18px;margin:0 0 14px;background:#fff}
.qab .header h1{font-size:1.35em;margin:0 0 4px}.qab .header h2{font-size:1.1em;margin:0 0 8px;color:#35506b}
.qab .meta{color:#5c6675;font-size:.9em;margin:0}.qab .notice{background:#fff6d6;border:1px solid #e8c75a;
padding:8px 12px;border-radius:8px;margin:8px 0 0}.qab .error{background:#fde8e8;border-color:#e39a9a}
.qab .qa-head{display:flex;gap:10px;align-items:baseline;margin-bottom:6px}.qab .qnum{font-weight:700;
color:#0e7c66}.qab .kw{color:#5c6675;font-size:.88em}.qab .who{font-weight:600;margin:10px 0 4px}
.qab .who .zh{font-weight:400;color:#5c6675;margin-left:6px}.qab table.bi{width:100%;border-collapse:collapse;
table-layout:fixed}.qab table.bi td{vertical-align:top;padding:4px 8px;border-top:1px solid #eef1f4;width:50%}
.qab table.bi th{text-align:left;font-size:.8em;color:#5c6675;padding:2px 8px;width:50%}
.qab .question td{background:#f4f8fb}.qab .suspect{background:#fff0f0}.qab .flag{color:#b42318;cursor:help;
font-size:.85em;margin-left:4px}.qab details{margin-top:10px}.qab details summary{cursor:pointer;color:#35506b}
.qab mark{background:#fff3b0;padding:0 1px}.qab .none{color:#98a2b3;font-style:italic}
.qab .ref{color:#35506b;font-size:.92em;border-left:3px solid #c7d2de;padding-left:8px;margin:4px 0}
.qab table.figs{width:100%;border-collapse:collapse;font-size:.88em}.qab table.figs td,.qab table.figs th{
padding:3px 6px;border-top:1px solid #eef1f4;vertical-align:top;text-align:left}.qab td.fig{font-weight:600;
white-space:nowrap}.qab td.fig .val{display:block;font-weight:400;color:#5c6675;font-size:.9em}
.qab td.what{white-space:nowrap;color:#35506b}
.qab .src{font-size:.72em;border-radius:4px;padding:0 4px;margin-left:5px;vertical-align:1px;cursor:help}
.qab .src.official{background:#e3f4ea;color:#17663a;border:1px solid #9fd3b3}.qab .src.memory{background:#eaf0fb;
color:#2d4f8a;border:1px solid #a9bde6}.qab .beside{display:block;color:#17663a;font-size:.92em;margin-top:3px}
.qab .hint{display:block;color:#5c6675;font-size:.85em;margin-top:3px}
.qab .src.machine{background:#f1f3f6;color:#4a5565;border:1px solid #cfd5dd}.qab .src.refined{background:#f5eefc;
color:#5b3a8a;border:1px solid #c9b3e6}.qab .why{display:block;color:#b42318;font-size:.85em;margin-top:2px}
.qab .who .zh:before{content:"· ";color:#98a2b3}
"""


def render_html(brief: Brief, standalone: bool = False) -> str:
    body = "\n".join([f"<style>{CSS}</style>", '<div class="qab">', _header(brief)]
                     + ([_opening(brief)] if brief.opening else [])
                     + [_segment(seg, brief) for seg in brief.segments] + ["</div>"])
    if not standalone:
        return body
    title = escape(brief.title_en or brief.title_zh or "qabrief brief")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
            f"<body>\n{body}\n</body></html>\n")


def render_error(message: str) -> str:
    return (f'<style>{CSS}</style><div class="qab"><div class="card notice error" role="alert">'
            f"<strong>Could not make a brief:</strong> {escape(message)}</div></div>")


def _header(brief: Brief) -> str:
    n = len([s for s in brief.segments if s.question])
    meta = [x for x in (brief.date, brief.source and f"source: {brief.source}", f"{n} questions",
                        f"{brief.script} Chinese", f"English: {brief.translator}",
                        brief.model_licence and f"model licence: {brief.model_licence}", _refined_summary(brief),
                        _official_summary(brief)) if x]
    parts = ['<section class="card header">',
             f'<h1 lang="zh">{escape(brief.title_zh or "(untitled transcript)")}</h1>']
    if brief.title_en:
        parts.append(f'<h2 lang="en">{escape(brief.title_en)}</h2>')
    parts.append(f'<p class="meta">{" · ".join(escape(m) for m in meta)}</p>')
    parts += [_fetched(page) for page in brief.fetched]
    if brief.notice:
        parts.append(f'<p class="notice">{escape(brief.notice)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _refined_summary(brief: Brief) -> str | None:
    """"refined by MODEL: 12 of 20 summary sentences" (refine.py), "refining…" while it runs."""
    if not brief.refiner:
        return None
    shown = [s for t in all_turns(brief) for s in t.sentences if s.summary and s.en_source in ("machine", "refined")]
    done = sum(s.en_source == "refined" for s in shown)
    state = " (refining…)" if brief.refining else ""
    return f"refined by {brief.refiner}: {done} of {len(shown)} summary sentences{state}"


def _fetched(page: dict) -> str:
    """Where a page given by its address came from, and when (the address is a link only if http(s))."""
    url = page["url"]
    shown = escape(url)
    if url.lower().startswith(("http://", "https://")):
        shown = f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer nofollow">{shown}</a>'
    moved = f" (redirected to {escape(page['final_url'])})" if page["final_url"] != url else ""
    return (f'<p class="meta fetched">{escape(page["role"]).capitalize()} fetched from {shown}{moved} '
            f'at {escape(page["fetched_at"])}</p>')


def _official_summary(brief: Brief) -> str:
    if not brief.official_source:
        return ""
    # the sentences the cards show (the summaries), not the whole text behind "Full text"
    sentences = [s for t in all_turns(brief) for s in t.summary]
    shown = sum(1 for s in sentences if s.official and s.official.get("shown"))
    mode = {"official": "shown where linked", "machine": "not shown (machine only)",
            "both": "beside the machine English"}[brief.english_mode]
    return f"{brief.official_source}: {shown} of {len(sentences)} sentences in the cards linked, {mode}"


def _opening(brief: Brief) -> str:
    turns = "".join(_turn(t, brief, "opening") for t in brief.opening)
    head = '<div class="qa-head"><span class="qnum">Opening</span></div>'
    return f'<section class="card opening">{head}{turns}</section>'


def _segment(seg: BriefSegment, brief: Brief) -> str:
    label = f"Q{seg.number}" if seg.question else "Text"
    keywords = " · ".join(escape(k) for k in seg.keywords_zh)
    if brief.translated and any(seg.keywords_en):
        keywords += " — " + " · ".join(escape(k) for k in seg.keywords_en if k)
    parts = [f'<section class="card qa" id="q{seg.number}">',
             f'<div class="qa-head"><span class="qnum">{label}</span><span class="kw">{keywords}</span></div>']
    if seg.question:
        parts.append(_turn(seg.question, brief, "question"))
    parts += [_turn(t, brief, "answer") for t in seg.answers if t.summary or not t.sentences]
    parts.append(_figures(seg, brief))
    parts.append(_full_text(seg, brief))
    parts.append("</section>")
    return "\n".join(parts)


def _figures(seg: BriefSegment, brief: Brief) -> str:
    """The answers' quantities in a compact table: what an analyst scans first."""
    if not seg.figures and not seg.figures_left_out:
        return ""
    rows = []
    in_summary = {s.zh for t in seg.answers for s in t.summary}
    for f in seg.figures:
        what = " ".join(x for x in (f.unit, f"· {f.counts}" if f.counts else "") if x)
        if f.en is None:
            english = _no_figure_english(f.zh in in_summary, brief)
        else:
            english = escape(f.en)
        flag = ('<span class="flag" title="this number is not in the English">⚠ number lost</span>'
                if f.lost else "")
        css = ' class="suspect"' if f.lost else ""
        rows.append(f'<tr{css}><td class="fig">{escape(f.text)}'
                    f'<span class="val">{escape(f.value) if f.value != f.text else ""}</span></td>'
                    f'<td class="what" lang="zh">{escape(what)}</td><td class="zh" lang="zh">{escape(f.zh)}</td>'
                    f'<td class="en" lang="en">{english}{flag}</td></tr>')
    head = "<tr><th>Figure</th><th>Unit · counts</th><th>中文</th><th>English</th></tr>"
    more = (f"; {seg.figures_left_out} more not listed: over {MAX_FIGURES_PER_SENTENCE} in a sentence "
            f"or {MAX_FIGURES:,} in the brief" if seg.figures_left_out else "")
    return (f'<details class="figures" open><summary>Key figures ({len(seg.figures)}{more})</summary>'
            f'<table class="figs">{head}{"".join(rows)}</table></details>')


def _no_figure_english(in_summary: bool, brief: Brief) -> str:
    """Why a figure's row has no English: still coming, no model, or its sentence is not a summary one."""
    if brief.pending:
        return '<span class="none pending">translating…</span>'
    if not brief.translated:
        return '<span class="none">— no English (Chinese-only brief)</span>'
    if not in_summary:
        return '<span class="none">— not in the summary (“Full text” translates it)</span>'
    return '<span class="none">— not translated</span>'


def _who(turn: BriefTurn, kind: str = "") -> str:
    """The speaker in English, then as printed in Chinese: the Chinese name once, in the Chinese
    heading (name_en carries it too: "Xiao Yaqing 肖亞慶"), the two set apart by a dot."""
    sp = turn.speaker
    if sp is None:
        return f'<div class="who">{UNLABELLED_OPENING if kind == "opening" else UNLABELLED}</div>'
    heading = sp.heading_en
    if sp.name_zh and sp.name_zh in sp.heading_zh:
        heading = heading.replace(f" {sp.name_zh}", "")
    return (f'<div class="who">{escape(heading)} <span class="zh" lang="zh">{escape(sp.heading_zh)}</span>'
            "</div>")


def _turn(turn: BriefTurn, brief: Brief, kind: str) -> str:
    rows = "".join(_row(s, brief) for s in turn.summary)
    if not rows:
        return ""
    head = '<tr><th>中文</th><th>English</th></tr>'
    return (f'<div class="turn {kind}">{_who(turn, kind)}<table class="bi {kind}">{head}{rows}</table>'
            f'{_context(turn, brief)}</div>')


def _context(turn: BriefTurn, brief: Brief) -> str:
    """The official passage of a turn whose summary sentences are not all linked to it: offered
    to read, never as any sentence's translation."""
    if not (brief.official_source and turn.reference) or all(
            s.official and s.official.get("shown") for s in turn.summary):
        return ""
    return ('<details class="ref-context"><summary>Official English of this turn (not linked sentence by '
            f'sentence)</summary><div class="ref" lang="en">{escape(turn.reference)}</div></details>')


def _row(s: BriefSentence, brief: Brief) -> str:
    css = ' class="suspect"' if s.flagged else ""
    zh = f'<td class="zh" lang="zh">{escape(s.zh)}</td>'
    return f'<tr{css}>{zh}<td class="en" lang="en">{_english(s, brief)}</td></tr>'


def _english(s: BriefSentence, brief: Brief) -> str:
    if s.en is None:
        if brief.pending:
            text = '<span class="none pending">translating…</span>'
        else:
            text = '<span class="none">not translated</span>' if brief.translated else '<span class="none">—</span>'
        return text + _beside(s, brief)
    flag = ""
    if s.flagged:  # the reasons in text under the sentence: a tap or a phone shows no tooltip
        label = f"{len(s.warnings)} issue{'s' if len(s.warnings) > 1 else ''}"
        why = escape("; ".join(s.warnings), quote=True)
        flag = (f'<span class="flag" title="{why}">⚠ {label}</span>'
                f'<span class="why">{"; ".join(escape(w) for w in s.warnings)}</span>')
    if s.en_source == "official" and s.en == "":
        return f'<span class="none">{WITH_PREVIOUS}</span>{_badge(s, brief)}'
    if s.refine_note:  # the refining model's English was not taken, and why (refine.py)
        flag += f'<span class="why refine-note">refinement not taken: {escape(s.refine_note)}</span>'
    return escape(s.en) + _badge(s, brief) + flag + _beside(s, brief)


def _badge(s: BriefSentence, brief: Brief) -> str:
    """Where the English shown came from, on every English line: official, memory, machine (or
    another source the brief names, such as refined), its detail in the tooltip."""
    if s.en_source == "official" and s.official:
        why = escape(f"{s.official['source']}; link confidence {s.official['confidence']:.2f}", quote=True)
        return f'<span class="src official" title="{why}">official</span>'
    if s.en_source == "memory" and s.memory:
        why = escape(f"remembered from {s.memory['source']}, {s.memory['added']}", quote=True)
        return f'<span class="src memory" title="{why}">memory</span>'
    source = s.en_source or "machine"
    if source == "machine":
        why = escape(f"machine translation: {s.en_model or brief.translator}", quote=True)
        return f'<span class="src machine" title="{why}">machine</span>'
    if source == "refined":
        why = escape(f"refined by {s.en_model}", quote=True)
        return f'<span class="src refined" title="{why}">refined</span>'
    kind = escape(source)
    return f'<span class="src {escape(source.replace(" ", "-"), quote=True)}">{kind}</span>'


def _beside(s: BriefSentence, brief: Brief) -> str:
    """In "both" mode the official English beside the machine's; a close memory match as a hint."""
    out = ""
    if brief.english_mode == "both" and s.official and s.official.get("shown") and s.official["en"]:
        out += f'<span class="beside" lang="en">official: {escape(s.official["en"])}</span>'
    elif brief.english_mode == "both" and s.memory:
        out += f'<span class="beside" lang="en">memory: {escape(s.memory["en"])}</span>'
    if s.hint:
        out += _hint(s.hint)
    return out


def _hint(hint: dict) -> str:
    """A close (or unconfirmed) match in the memory: labelled a hint, with the similar Chinese,
    its official rendering, and where and when that was published; never the sentence's English."""
    date = hint.get("date") or (hint.get("added") and f"stored {hint['added']}")
    where = escape(hint.get("title") or hint.get("source") or "")
    url = hint.get("url") or ""
    if url.startswith(("https://", "http://")):  # an address the memory holds, as a link; never a script
        where = (f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer" target="_blank">'
                 f'{where or escape(url)}</a>')
    origin = ", ".join(x for x in (escape(date or ""), where) if x)
    why = escape(f"memory: {hint.get('source', '')}; similarity {hint['similarity']:.2f}", quote=True)
    if hint["similarity"] >= 1:  # the same sentence, its rendering not confirmed: the ministry varies them
        what = "<b>Hint</b> (not confirmed as this sentence's translation): the same sentence"
    else:
        what = (f'<b>Hint</b> (not a translation of this sentence): a similar sentence, <span lang="zh">'
                f'{escape(hint["zh"])}</span>,')
    return (f'<span class="hint" title="{why}">{what} was rendered officially as '
            f'“<span lang="en">{escape(hint["en"])}</span>”' + (f" — {origin}" if origin else "") + "</span>")


def _full_text(seg: BriefSegment, brief: Brief) -> str:
    turns = ([seg.question] if seg.question else []) + seg.answers
    blocks = []
    for t in turns:
        zh = "".join(f"<mark>{escape(s.zh)}</mark>" if s.summary else escape(s.zh) for s in t.sentences)
        en = " ".join(f"<mark>{escape(s.en)}</mark>" if s.summary else escape(s.en) for s in t.sentences if s.en)
        ref = f'<div class="ref" lang="en">{escape(t.reference)}</div>' if t.reference else ""
        blocks.append(f'{_who(t)}<table class="bi full"><tr><td class="zh" lang="zh">{zh}</td>'
                      f'<td class="en" lang="en">{en or _missing(brief)}{ref}</td></tr></table>')
    return f"<details><summary>Full text</summary>{''.join(blocks)}</details>"


def _missing(brief: Brief) -> str:
    if brief.pending:
        return '<span class="none pending">translating…</span>'
    if not brief.translated:
        return '<span class="none">—</span>'
    return '<span class="none">summary sentences only (choose “full text” to translate everything)</span>'
