"""Renderers: a Brief → Markdown, self-contained HTML, or JSON. They only read the Brief."""

from .html import render_html
from .json import render_json
from .markdown import render_markdown

__all__ = ["render_html", "render_json", "render_markdown"]
