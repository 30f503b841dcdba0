"""The documentation a newcomer meets: a README read in minutes, every link going somewhere."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_readme_is_short_and_keeps_the_spaces_front_matter_and_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert text.startswith("---\ntitle: qabrief\n") and "app_file: app.py" in text.split("---")[1]
    assert "bash scripts/run.sh app" in text and "bash scripts/run.sh test" in text


def test_every_relative_link_resolves():
    broken = []
    for doc in DOCS:
        for target in _LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not (doc.parent / target.split("#")[0]).exists():
                broken.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert not broken, broken
    linked = {m for m in _LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))}
    assert {f"docs/{d.name}" for d in DOCS[1:]} <= linked  # every doc is reachable from the README
