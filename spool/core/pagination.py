"""Cursor pagination over time-sortable IDs: stable pages whatever is inserted meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import QuerySet

from spool.core.errors import ValidationError

T = TypeVar("T")
MAX_PAGE = 40


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: int | None


def parse_cursor(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)  # type: ignore[arg-type]
    except ValueError:
        raise ValidationError("The cursor is not valid.", code="invalid_cursor", field="cursor") from None
    if value <= 0:
        raise ValidationError("The cursor is not valid.", code="invalid_cursor", field="cursor")
    return value


def page_before(qs: QuerySet, cursor: int | None, limit: int = 20, *, field: str = "id") -> Page:
    """Newest first: items whose ``field`` is below ``cursor``, at most ``limit`` (capped at 40)."""
    limit = max(1, min(limit, MAX_PAGE))
    if cursor is not None:
        qs = qs.filter(**{f"{field}__lt": cursor})
    rows = list(qs.order_by(f"-{field}")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, getattr(rows[-1], field) if more and rows else None)
