"""``/api/v1/follow_requests``: pending requests to follow the signed-in (private) account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.accounts import account_id
from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import render_accounts, render_relationships
from spool.api.mastodon.pagination import Window, link_header
from spool.core.errors import NotFound
from spool.identities import services
from spool.identities.models import Account, FollowRequest

router = Router(tags=["follow_requests"])


@router.get("/v1/follow_requests", auth=scoped("read:follows"))
def list_requests(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    """Requesting accounts, newest request first; ``Link`` pages by request."""
    caller = me(request)
    window = Window.from_request(request, default=40, cap=80)
    pending = FollowRequest.objects.filter(target=caller, requester__is_active=True).select_related(
        "requester"
    )
    rows = window.apply(pending)
    link_header(request, response, [row.id for row in rows])
    return render_accounts(caller, [row.requester for row in rows])


def _requester(caller: Account, raw_id: str) -> Account:
    requester = FollowRequest.objects.filter(target=caller, requester_id=account_id(raw_id)).select_related(
        "requester"
    )
    found = requester.first()
    if found is None:
        raise NotFound("Record not found")
    return found.requester


def _answer(service: Callable[[Account, Account], None]) -> Callable[[HttpRequest, str], dict[str, Any]]:
    def answer(request: HttpRequest, requester_id: str) -> dict[str, Any]:
        caller = me(request)
        requester = _requester(caller, requester_id)
        service(caller, requester)
        return render_relationships(caller, [requester])[0]

    return answer


for _name, _service in (
    ("authorize", services.approve_follow_request),
    ("reject", services.decline_follow_request),
):
    router.post(
        f"/v1/follow_requests/{{requester_id}}/{_name}",
        auth=scoped("write:follows"),
        operation_id=f"follow_request_{_name}",
    )(_answer(_service))
