"""JSON export: `Brief.to_dict()` with a schema version (documented in docs/json.md)."""

from __future__ import annotations

import json as _json

from ..brief import Brief

SCHEMA_VERSION = 1


def brief_dict(brief: Brief) -> dict:
    return {"schema": f"qabrief.brief/{SCHEMA_VERSION}", **brief.to_dict()}


def render_json(brief: Brief) -> str:
    return _json.dumps(brief_dict(brief), ensure_ascii=False, indent=2)
