"""Checks shared by the moderation services."""

from __future__ import annotations

from typing import Any

from spool.core.errors import ValidationError
from spool.posts.services.validation import check_plain


def check_note(value: Any, *, field: str, what: str, limit: int, required: bool = False) -> str:
    """Plain text without control characters, trimmed, at most ``limit`` characters."""
    text = check_plain(value, field=field, what=what).strip()
    if required and not text:
        raise ValidationError(f"Write the {what}.", code=f"{field}_missing", field=field)
    if len(text) > limit:
        raise ValidationError(
            f"The {what} can be at most {limit:,} characters long.", code=f"{field}_too_long", field=field
        )
    return text


def parse_id(value: Any, *, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError("IDs must be numbers.", code="invalid", field=field) from None
    if number <= 0 or number >= 1 << 63:
        raise ValidationError("IDs must be numbers.", code="invalid", field=field)
    return number
