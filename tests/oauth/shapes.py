"""Check a JSON body against an entity schema of Mastodon's OpenAPI description (the reference copy in
``/work/shared/reference`` or ``docs/reference``): every key documented, every required key present, the
JSON types right."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "docs" / "reference" / "mastodon-openapi.json",
    Path("/work/shared/reference/mastodon-openapi.json"),
)
_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "array": list,
    "object": dict,
    "boolean": bool,
}


@functools.cache
def _schemas() -> dict[str, Any]:
    for path in _CANDIDATES:
        if path.exists():
            return dict(json.loads(path.read_text())["components"]["schemas"])
    raise FileNotFoundError("Mastodon's OpenAPI reference is not available")


def assert_shape(
    body: dict[str, Any], entity: str, *, allow_missing: frozenset[str] | set[str] = frozenset()
) -> None:
    schema = _schemas()[entity]
    properties: dict[str, Any] = schema["properties"]
    extra = set(body) - set(properties) - {"spool"}
    assert not extra, f"{entity}: keys Mastodon does not document: {sorted(extra)}"
    missing = set(schema.get("required", ())) - set(body) - set(allow_missing)
    assert not missing, f"{entity}: required keys missing: {sorted(missing)}"
    for key, value in body.items():
        if key == "spool":
            continue
        declared = properties[key].get("type")
        if declared is None:
            continue
        allowed = declared if isinstance(declared, list) else [declared]
        if value is None:
            assert "null" in allowed, f"{entity}.{key} is null but not nullable"
            continue
        kinds = tuple(t for name in allowed if name != "null" for t in _flatten(_TYPES[name]))
        assert isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds), (
            f"{entity}.{key}: {value!r} is not {declared}"
        )


def _flatten(kind: Any) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
