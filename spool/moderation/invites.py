"""Invite codes as a moderation tool: admins and moderators create and revoke them."""

from __future__ import annotations

from typing import Any

from spool.accounts import invites
from spool.accounts.models import InviteCode
from spool.identities.models import Account
from spool.moderation.roles import check_moderator


def issue_invite(actor: Account, *, max_uses: Any = 1, expires_in_days: Any = 7) -> InviteCode:
    """Create an invite code as ``actor``; ``NotFound`` unless they are a moderator or admin (the tools do
    not show they exist to others). Limits as :func:`spool.accounts.invites.create_invite_code`."""
    check_moderator(actor)
    return invites.create_invite_code(actor.user, max_uses=max_uses, expires_in_days=expires_in_days)


def withdraw_invite(actor: Account, code_id: int) -> None:
    """Revoke an invite code (no more sign-ups with it); moderators and admins only."""
    check_moderator(actor)
    invites.revoke_invite_code(code_id)
