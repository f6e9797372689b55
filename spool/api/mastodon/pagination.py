"""Mastodon's pagination: ``max_id`` (older than), ``since_id`` (newer than, newest first), ``min_id``
(immediately newer than, oldest first), ``limit`` with a per-endpoint cap, and a ``Link`` header with
``next``/``prev`` URLs. Keys are time-sortable IDs, so pages stay stable while new rows arrive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from spool.core.errors import ValidationError


@dataclass(frozen=True)
class Window:
    max_id: int | None
    since_id: int | None
    min_id: int | None
    limit: int

    @classmethod
    def from_request(cls, request: HttpRequest, *, default: int = 20, cap: int = 40) -> Window:
        return cls(
            _id(request, "max_id"),
            _id(request, "since_id"),
            _id(request, "min_id"),
            _limit(request, default, cap),
        )

    def apply(self, qs: QuerySet[Any], field: str = "id") -> list[Any]:
        """Rows of ``qs`` inside the window, newest first, at most ``limit``."""
        if self.max_id is not None:
            qs = qs.filter(**{f"{field}__lt": self.max_id})
        if self.since_id is not None:
            qs = qs.filter(**{f"{field}__gt": self.since_id})
        if self.min_id is not None:
            rows = list(qs.filter(**{f"{field}__gt": self.min_id}).order_by(field)[: self.limit])
            rows.reverse()
            return rows
        return list(qs.order_by(f"-{field}")[: self.limit])


def link_header(request: HttpRequest, response: HttpResponse, keys: Sequence[int]) -> HttpResponse:
    """Set ``Link`` from the page's pagination keys (newest first). Nothing to link on an empty page."""
    if keys:
        base = request.build_absolute_uri(request.path)
        kept = {k: v for k, v in request.GET.items() if k not in ("max_id", "since_id", "min_id")}
        response["Link"] = (
            f'<{base}?{urlencode({**kept, "max_id": keys[-1]})}>; rel="next", '
            f'<{base}?{urlencode({**kept, "min_id": keys[0]})}>; rel="prev"'
        )
    return response


def _id(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(
            f"Validation failed: {name} must be an ID", code="invalid", field=name
        ) from None
    if value < 0:
        raise ValidationError(f"Validation failed: {name} must be an ID", code="invalid", field=name)
    return value


def _limit(request: HttpRequest, default: int, cap: int) -> int:
    raw = request.GET.get("limit")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(
            "Validation failed: limit must be a number", code="invalid", field="limit"
        ) from None
    return max(1, min(value, cap))
