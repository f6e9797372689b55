"""Joining the fediverse: ``/api/spool/v1/federation/me`` (opt in or out; public profiles only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from spool.api.common.auth import current_account
from spool.federation.policy import federates
from spool.federation.sharing import change_fediverse_sharing

router = Router(tags=["federation"])


class FederationState(Schema):
    enabled: bool
    fediverse_handle: str


class FederationChange(Schema):
    enabled: bool


def _state(request: HttpRequest) -> dict[str, Any]:
    from django.conf import settings

    account = current_account(request)
    return {"enabled": federates(account), "fediverse_handle": f"@{account.handle}@{settings.SPOOL.domain}"}


@router.get("me", response=FederationState)
def get_federation(request: HttpRequest) -> dict[str, Any]:
    return _state(request)


@router.put("me", response=FederationState)
def change_federation(request: HttpRequest, payload: FederationChange) -> dict[str, Any]:
    """Opt in (409 ``private_profile`` for private profiles) or out of federation (which asks other servers
    to remove the profile and ends its fediverse follows: see ``spool.federation.sharing``)."""
    change_fediverse_sharing(current_account(request), payload.enabled)
    return _state(request)
