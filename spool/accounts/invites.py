"""Invite codes for invite-only servers (``SPOOL_INVITE_ONLY``).

Who may create codes (admins and moderators) is decided by the caller through
:func:`spool.moderation.invites.issue_invite`; this module keeps the codes and counts their uses.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from spool.accounts.models import InviteCode, User
from spool.core.errors import NotFound, ValidationError

MAX_USES = 1000
MAX_DAYS = 365


def invites_required() -> bool:
    return bool(settings.SPOOL.invite_only)


def create_invite_code(creator: User | None, *, max_uses: Any = 1, expires_in_days: Any = 7) -> InviteCode:
    """A new random code usable ``max_uses`` times (1 to 1000) until ``expires_in_days`` days from now
    (1 to 365, or ``None``/empty for no end). ``ValidationError`` naming the field otherwise."""
    uses = _whole(max_uses, "max_uses", 1, MAX_USES)
    days = None if expires_in_days in (None, "") else _whole(expires_in_days, "expires_in_days", 1, MAX_DAYS)
    return InviteCode.objects.create(
        code=secrets.token_urlsafe(9),
        created_by=creator,
        max_uses=uses,
        expires_at=timezone.now() + timedelta(days=days) if days is not None else None,
    )


def _whole(value: Any, field: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"Enter a whole number from {low} to {high}.", field=field) from None
    if not low <= number <= high:
        raise ValidationError(f"Enter a whole number from {low} to {high}.", field=field)
    return number


def _invalid() -> ValidationError:
    return ValidationError(
        "This invite code is not valid (it may be used up or expired).", code="invite_invalid", field="invite"
    )


def redeem_invite_code(code: Any) -> InviteCode:
    """Count one use of ``code``, inside the caller's sign-up transaction (so a refused sign-up gives the
    use back). One conditional ``UPDATE``: two people racing for the last use cannot both get it.
    ``ValidationError`` (field ``invite``, code ``invite_invalid``) when missing, unknown, revoked, used up
    or expired."""
    text = str(code or "").strip()
    if not text or len(text) > 32:
        if not text:
            raise ValidationError("Enter your invite code.", code="invite_required", field="invite")
        raise _invalid()
    now = timezone.now()
    with transaction.atomic():
        taken = (
            InviteCode.objects.filter(code=text, revoked_at__isnull=True, uses__lt=F("max_uses"))
            .exclude(expires_at__lte=now)
            .update(uses=F("uses") + 1)
        )
        if taken != 1:
            raise _invalid()
        return InviteCode.objects.get(code=text)


def list_invite_codes(limit: int = 100) -> list[InviteCode]:
    return list(InviteCode.objects.select_related("created_by").order_by("-created_at")[:limit])


def revoke_invite_code(code_id: int) -> None:
    updated = InviteCode.objects.filter(pk=code_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise NotFound("No such invite code.")
