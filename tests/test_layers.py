"""The stages import downwards only (issue 26): a stage may use the stages before it in the
pipeline and the shared base modules, never one after it nor the shells on top."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "qabrief"
# the pipeline, in order: each stage may import only those before it
STAGES = ["parse", "fetch", "quantities", "summarize", "official", "translate", "fidelity", "render"]
BASE = {"errors", "pairs", "settings", "storage"}  # below every stage
ALSO = {"render": {"brief"}}  # the renderers read the Brief, the pipeline's finished product


def imported(path: Path, stage: str) -> set[str]:
    """The top-level qabrief modules or packages a file imports (relative or absolute)."""
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 1 for stage/x.py, 2 for stage/sub/x.py
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").startswith("qabrief."):
                names.add(node.module.split(".")[1])
            elif node.level > depth:  # climbs out of the stage: from ..x or from ... (x)
                if node.module:
                    names.add(node.module.split(".")[0])
                else:
                    names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("qabrief.")}
    return names - {stage}


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_only_the_stages_before_it(stage):
    allowed = set(STAGES[: STAGES.index(stage)]) | BASE | ALSO.get(stage, set())
    wrong = {f"{path.relative_to(PACKAGE)} imports {name}" for path in (PACKAGE / stage).rglob("*.py")
             for name in imported(path, stage) - allowed}
    assert not wrong, sorted(wrong)


def test_the_check_itself_sees_a_wrong_import(tmp_path, monkeypatch):
    bad = PACKAGE / "parse" / "lines.py"
    source = bad.read_text(encoding="utf-8")
    assert "brief" not in imported(bad, "parse")
    fake = tmp_path / "lines.py"
    fake.write_text(source + "\nfrom ..brief import Brief\n", encoding="utf-8")
    monkeypatch.setattr(Path, "relative_to", lambda self, other: Path("parse/lines.py"))
    assert "brief" in imported(fake, "parse")
