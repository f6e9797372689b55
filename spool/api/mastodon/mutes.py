"""``/api/v1/mutes``: the accounts the person mutes, newest mute first, paged by the mute's ID. Spool's
mutes do not expire, so ``mute_expires_at`` is null."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.blocks import edge_accounts
from spool.identities.models import Mute

router = Router(tags=["mutes"])


@router.get("/v1/mutes", auth=scoped("read:mutes"))
def mutes(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    accounts = edge_accounts(request, response, Mute.objects.filter(muter=me(request)), "muted")
    return [{**account, "mute_expires_at": None} for account in accounts]
