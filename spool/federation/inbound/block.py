"""``Block`` of a local account by a remote actor: follows end both ways and each disappears for the other."""

from __future__ import annotations

from typing import Any

from spool.federation.inbound.common import local_target
from spool.identities.models import Account
from spool.identities.services import block_account


def handle(activity: dict[str, Any], actor: Account) -> str:
    target = local_target(activity.get("object"))
    if target is None:
        return "ignored: not one of our accounts"
    block_account(actor, target)
    return "done"
