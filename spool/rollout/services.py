"""Saving a rollout flag. The permission check and the audit entry belong to the caller — moderation's
``save_rollout_flag`` (admins only) is the one door — because roles and the audit log live above this app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from spool.core.errors import ValidationError
from spool.rollout.country import clean_country
from spool.rollout.evaluate import forget_flags
from spool.rollout.models import MAX_ACCOUNTS, MAX_COUNTRIES, MAX_DESCRIPTION, MAX_NAME, Flag

FIELDS = ("description", "enabled", "percentage", "account_ids", "countries_allowed", "countries_denied")


def save_flag(
    name: Any,
    *,
    description: Any = "",
    enabled: Any = False,
    percentage: Any = 0,
    account_ids: Iterable[Any] = (),
    countries_allowed: Iterable[Any] = (),
    countries_denied: Iterable[Any] = (),
) -> tuple[Flag, dict[str, Any]]:
    """Create the flag ``name`` or replace its settings; return it and what changed
    (``{field: [before, after]}``, empty when nothing did; a new flag's "before" is ``None``).

    Checks: the name (lowercase letters, digits, ``_``, ``-``; 1 to 50), the description (≤200), the
    percentage (a whole number 0 to 100), account IDs (whole numbers, ≤1,000) and country codes (ISO 3166
    alpha-2, ≤250 each; a code in both lists is refused). Each error names its field. Locks the flag's row;
    the cached flags are dropped when the transaction commits."""
    name = clean_flag_name(name)
    allowed = _countries(countries_allowed, "countries_allowed")
    denied = _countries(countries_denied, "countries_denied")
    values = {
        "description": _description(description),
        "enabled": bool(enabled),
        "percentage": _percentage(percentage),
        "account_ids": _account_ids(account_ids),
        "countries_allowed": allowed,
        "countries_denied": denied,
    }
    both = set(allowed) & set(denied)
    if both:
        raise ValidationError(
            f"{', '.join(sorted(both))} cannot be both allowed and denied.", field="countries_denied"
        )
    with transaction.atomic():
        # Dropped on every save, changed or not: saving again is how an admin clears a stale cache.
        forget_flags()
        flag = Flag.objects.select_for_update().filter(name=name).first()
        if flag is None:
            flag = Flag.objects.create(name=name, **values)
            return flag, {field: [None, values[field]] for field in FIELDS}
        changes = {f: [getattr(flag, f), v] for f, v in values.items() if getattr(flag, f) != v}
        if changes:
            for field, value in values.items():
                setattr(flag, field, value)
            flag.save()
    return flag, changes


def clean_flag_name(value: Any) -> str:
    name = str(value or "").strip().lower()
    if not name or len(name) > MAX_NAME or not all(c.isascii() and (c.isalnum() or c in "_-") for c in name):
        raise ValidationError(
            f"A name is 1 to {MAX_NAME} of lowercase letters, digits, _ and -.", code="invalid", field="name"
        )
    return name


def _description(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(f"At most {MAX_DESCRIPTION} characters.", field="description")
    return text


def _percentage(value: Any) -> int:
    try:
        number = int(str(value).strip() or "0")
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 100:
        raise ValidationError("A whole number from 0 to 100.", field="percentage")
    return number


def _account_ids(values: Iterable[Any]) -> list[int]:
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise ValidationError("Account IDs are whole numbers.", field="accounts") from None
    if len(ids) > MAX_ACCOUNTS:
        raise ValidationError(f"At most {MAX_ACCOUNTS} accounts.", field="accounts")
    return ids


def _countries(values: Iterable[Any], field: str) -> list[str]:
    codes = set()
    for value in values:
        code = clean_country(str(value))
        if code is None:
            raise ValidationError(f"“{value}” is not a two-letter country code (ISO 3166).", field=field)
        codes.add(code)
    if len(codes) > MAX_COUNTRIES:
        raise ValidationError(f"At most {MAX_COUNTRIES} countries.", field=field)
    return sorted(codes)
