"""``/api/v1/apps``: register a client application (anyone may, rate-limited per address) and check an
app's token. Shapes: Mastodon's ``CredentialApplication`` and ``Application`` (``vapid_key`` is left out:
Spool has no Web Push yet)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import caller, scoped
from spool.api.mastodon.params import read_params
from spool.core.requests import client_address
from spool.oauth import services as oauth
from spool.oauth.models import Application

router = Router(tags=["apps"])


@router.post("/v1/apps", auth=None)
def create_app(request: HttpRequest) -> dict[str, Any]:
    params = read_params(request)
    redirect_uris = params.get("redirect_uris", params.get("redirect_uri"))
    created = oauth.create_application(
        name=params.get("client_name", ""),
        redirect_uris=redirect_uris if isinstance(redirect_uris, str | list) else "",
        scopes=params.get("scopes"),
        website=params.get("website"),
        client_address=client_address(request),
    )
    return {
        **application_json(created.application),
        "client_id": created.application.client_id,
        "client_secret": created.client_secret,
        "client_secret_expires_at": 0,
    }


# Any valid token will do, whatever its scopes (Mastodon 4.3).
@router.get("/v1/apps/verify_credentials", auth=scoped(None, person=False))
def verify_app(request: HttpRequest) -> dict[str, Any]:
    token = caller(request).token
    assert token is not None
    return application_json(Application.objects.get(pk=token.application_id))


def application_json(application: Application) -> dict[str, Any]:
    uris = application.redirect_uri_list
    return {
        "id": str(application.id),
        "name": application.name,
        "website": application.website or None,
        "scopes": application.scopes.split(),
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
    }
