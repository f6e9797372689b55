"""Response shapes checked against Mastodon's own entity definitions (the component schemas of the
abraham/mastodon-openapi description of Mastodon 4.7's client API, kept in ``mastodon-entities.json``), plus
the conventions JSON Schema cannot say: IDs are strings and timestamps are UTC with milliseconds and ``Z``.

``assert_shape("Status", data)`` — or ``assert_shape("Status", [..])`` for a list of them."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).with_name("mastodon-entities.json")
_URI = "urn:mastodon-openapi"
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# Date-only fields (Mastodon sends a day, not a moment).
_DATES = {"last_status_at"}


def _any_of(node: Any) -> Any:
    """``oneOf`` read as ``anyOf``: the generated schemas offer alternatives that overlap (``Quote`` and
    ``ShallowQuote`` both require only ``state``), so "exactly one" would refuse every quote."""
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_of(item) for item in node]
    return node


@cache
def _spec() -> dict[str, Any]:
    return _any_of(json.loads(SPEC.read_text()))


@cache
def _validator(entity: str) -> Draft202012Validator:
    spec = _spec()
    if entity not in spec["components"]["schemas"]:
        raise KeyError(f"Mastodon has no entity {entity!r}")
    registry: Registry = Registry().with_resource(_URI, Resource(contents=spec, specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{_URI}#/components/schemas/{entity}"}, registry=registry)


def _conventions(data: Any, where: str = "$") -> list[str]:
    problems = []
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{where}.{key}"
            if (
                key.endswith("_at")
                and key not in _DATES
                and isinstance(value, str)
                and not _TIMESTAMP.match(value)
            ):
                problems.append(f"{here}: {value!r} is not a UTC timestamp with milliseconds and Z")
            if key == "id" and not isinstance(value, str):
                problems.append(f"{here}: IDs are strings, got {value!r}")
            problems += _conventions(value, here)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            problems += _conventions(item, f"{where}[{index}]")
    return problems


def assert_shape(entity: str, data: Any) -> None:
    """Fail with every mismatch between ``data`` and Mastodon's ``entity`` schema (a list: each item)."""
    items = data if isinstance(data, list) else [data]
    validator = _validator(entity)
    problems = []
    for index, item in enumerate(items):
        for error in validator.iter_errors(item):
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            problems.append(f"item {index}{path}: {error.message[:300]}")
        problems += [f"item {index}: {p}" for p in _conventions(item)]
    assert not problems, f"{entity} shape:\n" + "\n".join(problems[:20])


if __name__ == "__main__":  # refresh the kept schemas from a newer mastodon-openapi.json
    import sys

    full = json.loads(Path(sys.argv[1]).read_text())
    kept = json.loads(SPEC.read_text())
    kept["components"] = {"schemas": full["components"]["schemas"]}
    SPEC.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")
