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
        base = _base_url(request)
        kept = urlencode({k: v for k, v in request.GET.items() if k not in ("max_id", "since_id", "min_id")})
        query = f"{base}?{kept}&" if kept else f"{base}?"  # ``urlencode({**kept, "max_id": …})``
        response["Link"] = f'<{query}max_id={keys[-1]}>; rel="next", <{query}min_id={keys[0]}>; rel="prev"'
    return response


# ``request.build_absolute_uri(request.path)`` by what it is made from (the host is validated the first
# time): the same few values on every request to an endpoint.
_BASES: dict[tuple[Any, ...], str] = {}
_BASES_MAX = 256


def base_url(request: HttpRequest) -> str:
    """``request.build_absolute_uri(request.path)``, remembered."""
    return _base_url(request)


def _base_url(request: HttpRequest) -> str:
    meta = request.META
    key = (
        request.path, meta.get("wsgi.url_scheme"), meta.get("HTTP_HOST"), meta.get("SERVER_NAME"),
        meta.get("SERVER_PORT"), request.scheme, meta.get("HTTP_X_FORWARDED_HOST"),
        meta.get("HTTP_X_FORWARDED_PORT"),
    )  # fmt: skip
    found = _BASES.get(key)
    if found is None:
        if len(_BASES) >= _BASES_MAX:
            _BASES.clear()
        found = _BASES[key] = request.build_absolute_uri(request.path)
    return found


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
