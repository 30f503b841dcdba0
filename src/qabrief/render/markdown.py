"""Markdown export: the same content as the HTML view, as tables a reader can paste."""

from __future__ import annotations

from ..brief import (
    MAX_FIGURES,
    MAX_FIGURES_PER_SENTENCE,
    UNLABELLED,
    UNLABELLED_OPENING,
    Brief,
    BriefSentence,
    BriefTurn,
)
from ..official.attach import WITH_PREVIOUS

_MARKDOWN_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "`": "\\`",
                                   "&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": " "})


def _cell(text: str | None) -> str:
    """User or model text, inert in Markdown: no raw HTML, no links, no code spans, no table breaks
    (a Markdown viewer renders the entities back as the characters)."""
    return (text or "").translate(_MARKDOWN_ESCAPES)


def render_markdown(brief: Brief) -> str:
    out = [f"# {_cell(brief.title_zh) or '(untitled transcript)'}"]
    if brief.title_en:
        out.append(f"_{_cell(brief.title_en)}_")
    meta = [x for x in (brief.date, brief.source and f"source: {brief.source}", f"English: {brief.translator}",
                        brief.model_licence and f"model licence: {brief.model_licence}") if x]
    out += ["", " · ".join(_cell(m) for m in meta)]
    for page in brief.fetched:
        moved = f" (redirected to {_cell(page['final_url'])})" if page["final_url"] != page["url"] else ""
        out += ["", f"> {_cell(page['role']).capitalize()} fetched from {_cell(page['url'])}{moved} "
                    f"at {_cell(page['fetched_at'])}"]
    if brief.official_source:
        out += ["", f"> {_cell(brief.official_source)} (mode: {brief.english_mode})"]
    if brief.notice:
        out += ["", f"> **Note:** {_cell(brief.notice)}"]
    if brief.opening:
        out += ["", "## Opening"]
        for t in brief.opening:
            out += _turn(t, brief.english_mode, opening=True)
    for seg in brief.segments:
        head = f"Q{seg.number}" if seg.question else "Text"
        keywords = " · ".join(seg.keywords_zh)
        out += ["", f"## {head}" + (f" — {keywords}" if keywords else "")]
        for t in ([seg.question] if seg.question else []) + seg.answers:
            out += _turn(t, brief.english_mode)
        out += _figures(seg)
    return "\n".join(out) + "\n"


def _figures(seg) -> list[str]:
    if not seg.figures and not seg.figures_left_out:
        return []
    lines = ["", "**Key figures**", "", "| Figure | Unit · counts | 中文 | English |", "|---|---|---|---|"]
    for f in seg.figures:
        value = f"{_cell(f.text)} ({_cell(f.value)})" if f.value != f.text else _cell(f.text)
        what = " · ".join(x for x in (f.unit, f.counts) if x)
        english = _cell(f.en) if f.en is not None else "—"
        if f.lost:
            english += " ⚠ _number not in the English_"
        lines.append(f"| {value} | {_cell(what)} | {_cell(f.zh)} | {english} |")
    if seg.figures_left_out:
        lines += ["", f"_{seg.figures_left_out} more not listed: over {MAX_FIGURES_PER_SENTENCE} in a sentence "
                      f"or {MAX_FIGURES:,} in the brief._"]
    return lines


def _turn(turn: BriefTurn, mode: str = "official", opening: bool = False) -> list[str]:
    rows = turn.summary
    if not rows:
        return []
    sp = turn.speaker
    who = f"**{_cell(sp.heading_en)}** ({_cell(sp.heading_zh)})" if sp else \
        f"**{UNLABELLED_OPENING if opening else UNLABELLED}**"
    lines = ["", who, "", "| 中文 | English |", "|---|---|"]
    lines += [f"| {_cell(s.zh)} | {_english(s, mode)} |" for s in rows]
    return lines


def _english(s: BriefSentence, mode: str = "official") -> str:
    text = _cell(s.en) if s.en is not None else "—"
    if s.en_source == "official":
        text = (f"_({WITH_PREVIOUS})_" if s.en == "" else text) + " _(official)_"
    elif s.en_source == "memory" and s.memory:
        text += f" _(memory: {_cell(s.memory['source'])}, {_cell(s.memory['added'])})_"
    elif s.en is not None:  # every English line says where it came from: the model, or another source
        text += f" _({_cell(s.en_source or 'machine')})_"
    if s.flagged:
        text += " ⚠ _" + _cell("; ".join(s.warnings)) + "_"
    if s.refine_note:
        text += " _(refinement not taken: " + _cell(s.refine_note) + ")_"
    if mode == "both" and s.official and s.official.get("shown") and s.official["en"]:
        text += f" / official: {_cell(s.official['en'])}"
    if s.hint:
        text += " " + _hint(s.hint)
    return text


def _hint(hint: dict) -> str:
    """A close (or unconfirmed) memory match, labelled a hint, with where and when it was published."""
    date = hint.get("date") or (hint.get("added") and f"stored {hint['added']}")
    origin = ", ".join(_cell(x) for x in (date, hint.get("title") or hint.get("source"), hint.get("url")) if x)
    if hint["similarity"] >= 1:  # the same sentence, its rendering not confirmed: the ministry varies them
        what = "**Hint** (not confirmed as this sentence's translation): the same sentence"
    else:
        what = f"**Hint** (not a translation of this sentence): a similar sentence, {_cell(hint['zh'])},"
    return f"_{what} was rendered officially as “{_cell(hint['en'])}”" + (f" — {origin}" if origin else "") + "_"
