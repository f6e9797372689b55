"""Granting and taking moderation roles (the ``grant_role`` command; admins later from a page)."""

from __future__ import annotations

from django.db import transaction

from spool.core.errors import Forbidden, ValidationError
from spool.identities.models import Account
from spool.moderation import audit
from spool.moderation.models import Role, RoleName, TargetType
from spool.moderation.roles import is_admin


def grant_role(granter: Account | None, account: Account, role: str) -> Role:
    """Make ``account`` a moderator or an admin. ``granter`` must be an admin; ``None`` is the operator's
    own tooling (``manage.py grant_role``). Local accounts only. Appends a ``grant_role`` audit entry."""
    if granter is not None and not is_admin(granter):
        raise Forbidden("Only admins grant roles.", code="admin_only")
    if role not in RoleName.values:
        raise ValidationError("The role must be moderator or admin.", code="invalid_role", field="role")
    if not account.user_id:
        raise ValidationError("Only local accounts can moderate.", code="not_local", field="handle")
    with transaction.atomic():
        row, _ = Role.objects.update_or_create(user_id=account.user_id, defaults={"role": role})
        audit.record(granter, "grant_role", TargetType.ACCOUNT, account.pk, target_label=f"@{account.handle}",
                     note=role)  # fmt: skip
    return row


def revoke_role(granter: Account | None, account: Account) -> bool:
    """Take ``account``'s role away; whether it had one. Same permission as :func:`grant_role`."""
    if granter is not None and not is_admin(granter):
        raise Forbidden("Only admins revoke roles.", code="admin_only")
    if not account.user_id:
        return False
    with transaction.atomic():
        deleted, _ = Role.objects.filter(user_id=account.user_id).delete()
        if deleted:
            audit.record(
                granter, "revoke_role", TargetType.ACCOUNT, account.pk, target_label=f"@{account.handle}"
            )
    return bool(deleted)
