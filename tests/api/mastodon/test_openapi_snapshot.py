"""The Mastodon API's contract — every path, method, parameter and request-body field, and the scope each
operation needs — compared with a committed snapshot, so it never drifts by accident.

When a change to the API is deliberate, refresh the snapshot and commit it with the change:

    SPOOL_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/api/mastodon/test_openapi_snapshot.py

and review the diff of ``tests/api/mastodon/snapshots/openapi.json`` like code."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from spool.api.mastodon.api import api
from tests.api.mastodon.routes import mastodon_security, routes

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def contract() -> dict[str, Any]:
    """Each operation by ``METHOD /path``: what the OpenAPI says of it (routes hidden from the schema, such as
    trailing-slash aliases, are listed too) and the auth rule it declares."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    components = schema.get("components", {}).get("schemas", {})
    out: dict[str, Any] = {}
    for route in sorted(routes(), key=lambda r: r.key):
        operation = schema["paths"].get(route.path, {}).get(route.method.lower())
        out[route.key] = {
            "in_schema": operation is not None,
            "operationId": (operation or {}).get("operationId"),
            "parameters": sorted(
                (p["in"], p["name"], bool(p.get("required"))) for p in (operation or {}).get("parameters", [])
            ),
            "body": _body((operation or {}).get("requestBody"), components),
            "scope": route.auth.scope if route.auth else None,
            "anonymous": route.anonymous,
            "needs_person": bool(route.auth and route.auth.person and not route.auth.optional),
        }
    return json.loads(json.dumps(out))  # tuples → lists, as in the file


def _body(request_body: dict[str, Any] | None, components: dict[str, Any]) -> dict[str, list[str]]:
    """Content types of the request body and the top-level fields of each."""
    found: dict[str, list[str]] = {}
    for content_type, media in (request_body or {}).get("content", {}).items():
        schema = media.get("schema", {})
        ref = schema.get("$ref", "")
        if ref:
            schema = components.get(ref.rsplit("/", 1)[-1], {})
        found[content_type] = sorted(schema.get("properties", {}))
    return found


def test_the_api_matches_its_snapshot(db: None) -> None:
    current = contract()
    if os.environ.get("SPOOL_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    committed = json.loads(SNAPSHOT.read_text())
    added = sorted(set(current) - set(committed))
    removed = sorted(set(committed) - set(current))
    changed = sorted(key for key in set(current) & set(committed) if current[key] != committed[key])
    assert not (added or removed or changed), (
        f"The Mastodon API changed — added {added}, removed {removed}, changed {changed}. If deliberate, "
        "refresh the snapshot (see this module's docstring) and commit it."
    )


def test_every_path_is_one_mastodon_documents() -> None:
    """Spool mirrors Mastodon's paths one for one: no invented endpoint under /api/v1 or /api/v2."""
    known = mastodon_security()
    invented = sorted(route.template for route in routes() if route.template not in known)
    assert not invented, f"Not in Mastodon's API: {invented}"
