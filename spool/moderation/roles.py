"""Who may moderate. Admins can do everything moderators can, and also suspend accounts, decide appeals of
any action and grant roles; Django superusers are admins without a ``Role`` row."""

from __future__ import annotations

from typing import Any

from spool.core.errors import NotFound
from spool.identities.models import Account
from spool.moderation.models import Role, RoleName

NOT_FOUND = "Not found."


def role_of(account: Account | None) -> str | None:
    """``"admin"``, ``"moderator"`` or ``None`` for ``account`` (active local accounts only). One query."""
    if account is None or not account.is_active or not account.user_id:
        return None
    user: Any = account.user
    if not user.is_active:
        return None
    if user.is_superuser:
        return RoleName.ADMIN
    row = Role.objects.filter(user_id=account.user_id).values_list("role", flat=True).first()
    return row


def is_moderator(account: Account | None) -> bool:
    return role_of(account) is not None


def is_admin(account: Account | None) -> bool:
    return role_of(account) == RoleName.ADMIN


def check_moderator(account: Account | None) -> str:
    """The role of ``account``; ``NotFound`` for everyone else, so the moderation tools do not even show
    they exist to people who may not use them."""
    role = role_of(account)
    if role is None:
        raise NotFound(NOT_FOUND)
    return role
