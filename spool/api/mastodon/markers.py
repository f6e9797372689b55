"""``/api/v1/markers``: read positions in the home timeline and notifications, shared between apps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import iso
from spool.api.mastodon.params import read_params
from spool.core.errors import ValidationError
from spool.feeds.markers import TIMELINES, get_markers, save_markers
from spool.feeds.models import Marker

router = Router(tags=["markers"])


def marker_entity(marker: Marker) -> dict[str, Any]:
    return {
        "last_read_id": str(marker.last_read_id),
        "version": marker.version,
        "updated_at": iso(marker.updated_at),
    }


@router.get("/v1/markers", auth=scoped("read:statuses"))
def markers(request: HttpRequest) -> dict[str, Any]:
    wanted = read_params(request).get("timeline", [])
    if isinstance(wanted, str):
        wanted = [wanted]
    if not isinstance(wanted, list):
        raise ValidationError("Validation failed: timeline must be a list", field="timeline")
    return {name: marker_entity(m) for name, m in get_markers(me(request), [str(w) for w in wanted]).items()}


@router.post("/v1/markers", auth=scoped("write:statuses"))
def save(request: HttpRequest) -> dict[str, Any]:
    """``home[last_read_id]`` and/or ``notifications[last_read_id]`` (form or JSON)."""
    params = read_params(request)
    positions: dict[str, Any] = {}
    for name, value in params.items():
        if name not in TIMELINES:
            continue
        if not isinstance(value, dict) or "last_read_id" not in value:
            raise ValidationError(f"Validation failed: {name}[last_read_id] is missing", field=name)
        positions[name] = value["last_read_id"]
    saved = save_markers(me(request), positions)
    return {name: marker_entity(m) for name, m in saved.items()}
