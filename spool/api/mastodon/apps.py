"""``/api/v1/apps``: client applications (registration comes with the OAuth flows)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import caller, scoped
from spool.oauth import scopes as scope_rules

router = Router(tags=["apps"])


@router.get("/v1/apps/verify_credentials", auth=scoped("read", optional=False, person=False))
def verify_app(request: HttpRequest) -> dict[str, Any]:
    token = caller(request).token
    assert token is not None
    application = token.application
    return {
        "id": str(application.id),
        "name": application.name,
        "website": application.website or None,
        "scopes": sorted(scope_rules.parse(application.scopes)),
        "redirect_uri": "\n".join(application.redirect_uri_list),
        "redirect_uris": application.redirect_uri_list,
    }
