"""``/api/v2/suggestions`` (and v1): accounts to follow with why, from
:func:`spool.identities.services.suggestions.suggest_accounts`; ``DELETE /api/v1/suggestions/:id`` stops
suggesting an account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.accounts import account_id as record_id
from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import render_accounts
from spool.api.mastodon.trends import int_param
from spool.identities.services.suggestions import dismiss_suggestion, suggest_accounts

router = Router(tags=["suggestions"])

# Mastodon 4's deprecated single ``source`` for each of Spool's reasons.
LEGACY_SOURCE = {"friends_of_friends": "global", "most_followed": "global"}


def _suggested(request: HttpRequest) -> list[tuple[dict[str, Any], list[str]]]:
    account = me(request)
    found = suggest_accounts(account, max(1, int_param(request, "limit", 40, 80)))
    entities = render_accounts(account, [a for a, _ in found])
    return [(entity, sources) for entity, (_, sources) in zip(entities, found, strict=True)]


@router.get("/v2/suggestions", auth=scoped("read"))
def suggestions(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"source": LEGACY_SOURCE[sources[0]], "sources": sources, "account": entity}
        for entity, sources in _suggested(request)
    ]


@router.get("/v1/suggestions", auth=scoped("read"))
def suggestions_v1(request: HttpRequest) -> list[dict[str, Any]]:
    return [entity for entity, _ in _suggested(request)]


@router.delete("/v1/suggestions/{account_id}", auth=scoped("read"))
def dismiss(request: HttpRequest, account_id: str) -> dict[str, Any]:
    dismiss_suggestion(me(request), record_id(account_id))
    return {}
