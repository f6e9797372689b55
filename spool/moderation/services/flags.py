"""Admins changing rollout flags (:mod:`spool.rollout`): the permission check and the audit entry around
``rollout.services.save_flag``. Here because roles and the audit log are moderation's."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from spool.core.errors import NotFound, ValidationError
from spool.identities.models import Account
from spool.moderation import audit
from spool.moderation.models import AUDIT_FLAG
from spool.moderation.roles import NOT_FOUND, is_admin
from spool.rollout.models import MAX_ACCOUNTS, Flag
from spool.rollout.services import save_flag

_SEPARATORS = re.compile(r"[\s,]+")


def check_admin(account: Account | None) -> None:
    """``NotFound`` for everyone but admins: the flags page does not show it exists to anyone else."""
    if not is_admin(account):
        raise NotFound(NOT_FOUND)


def save_rollout_flag(
    admin: Account,
    name: Any,
    *,
    description: Any = "",
    enabled: Any = False,
    percentage: Any = 0,
    handles: Any = "",
    countries_allowed: Any = "",
    countries_denied: Any = "",
) -> tuple[Flag, dict[str, Any]]:
    """Create or edit a rollout flag as ``admin`` (``NotFound`` for anyone else, nothing written).

    ``handles``, ``countries_allowed`` and ``countries_denied`` are text separated by spaces or commas (an
    ``@`` before a handle is optional); every handle must name a local account (``ValidationError`` on
    ``accounts`` naming the first that does not). Validation and caching are ``save_flag``'s. A change
    appends a ``rollout`` audit entry (what changed, before and after) in the same transaction; saving
    without a change writes nothing."""
    check_admin(admin)
    account_ids = _account_ids(handles)
    with transaction.atomic():
        flag, changes = save_flag(
            name,
            description=description,
            enabled=enabled,
            percentage=percentage,
            account_ids=account_ids,
            countries_allowed=_words(countries_allowed),
            countries_denied=_words(countries_denied),
        )
        if changes:
            audit.record(admin, "rollout", AUDIT_FLAG, flag.pk, target_label=flag.name, changes=changes)
    return flag, changes


def flag_handles(flag: Flag) -> str:
    """The allowlist as the admin page shows it: handles, space-separated."""
    handles = (
        Account.objects.filter(pk__in=flag.account_ids).order_by("handle").values_list("handle", flat=True)
    )
    return " ".join(f"@{h}" for h in handles)


def _words(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value)
    return [w for w in _SEPARATORS.split(str(value or "")) if w]


def _account_ids(handles: Any) -> list[int]:
    wanted = [h.removeprefix("@") for h in _words(handles)]
    if len(wanted) > MAX_ACCOUNTS:
        raise ValidationError(f"At most {MAX_ACCOUNTS} accounts.", field="accounts")
    ids: list[int] = []
    for handle in wanted:
        account = Account.objects.by_handle(handle).filter(user__isnull=False).only("pk").first()
        if account is None:
            raise ValidationError(
                f"There is no account @{handle} here.", code="unknown_account", field="accounts"
            )
        ids.append(account.pk)
    return ids
