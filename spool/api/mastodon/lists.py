"""``/api/v1/lists`` (and ``/api/v1/accounts/:id/lists``): a person's lists and their members. Writes go
through :mod:`spool.feeds.lists`; someone else's list is 404."""

from __future__ import annotations

from typing import Any

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.accounts import account_id as record_id
from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import render_accounts
from spool.api.mastodon.pagination import Window, link_header
from spool.api.mastodon.params import read_params, validated
from spool.feeds import lists as services
from spool.feeds.models import List
from spool.identities.access import access_account_by_id

router = Router(tags=["lists"])


def list_entity(lst: List) -> dict[str, Any]:
    return {
        "id": str(lst.id),
        "title": lst.title,
        "replies_policy": lst.replies_policy,
        "exclusive": lst.exclusive,
    }


class ListIn(pydantic.BaseModel):
    title: str | None = None
    replies_policy: str | None = None
    exclusive: bool | None = None


class MembersIn(pydantic.BaseModel):
    account_ids: list[str]

    @pydantic.field_validator("account_ids", mode="before")
    @classmethod
    def _many(cls, value: Any) -> Any:
        return value if isinstance(value, list) else [value]


@router.get("/v1/lists", auth=scoped("read:lists"))
def lists(request: HttpRequest) -> list[dict[str, Any]]:
    return [list_entity(lst) for lst in services.lists_of(me(request))]


@router.post("/v1/lists", auth=scoped("write:lists"))
def create(request: HttpRequest) -> dict[str, Any]:
    params = validated(ListIn, read_params(request))
    lst = services.create_list(
        me(request),
        title=params.title,
        replies_policy=params.replies_policy or "list",
        exclusive=bool(params.exclusive),
    )
    return list_entity(lst)


@router.get("/v1/lists/{list_id}", auth=scoped("read:lists"))
def get(request: HttpRequest, list_id: str) -> dict[str, Any]:
    return list_entity(services.access_list(me(request), record_id(list_id)))


@router.put("/v1/lists/{list_id}", auth=scoped("write:lists"))
def update(request: HttpRequest, list_id: str) -> dict[str, Any]:
    params = validated(ListIn, read_params(request))
    lst = services.update_list(
        me(request),
        record_id(list_id),
        title=params.title,
        replies_policy=params.replies_policy,
        exclusive=params.exclusive,
    )
    return list_entity(lst)


@router.delete("/v1/lists/{list_id}", auth=scoped("write:lists"))
def delete(request: HttpRequest, list_id: str) -> dict[str, Any]:
    services.delete_list(me(request), record_id(list_id))
    return {}


@router.get("/v1/lists/{list_id}/accounts", auth=scoped("read:lists"))
def members(request: HttpRequest, response: HttpResponse, list_id: str) -> list[dict[str, Any]]:
    """Members, newest first, paginated by membership (``limit`` 40 by default; ``limit=0`` gives all,
    as Mastodon does, up to the list's cap)."""
    account = me(request)
    lst = services.access_list(account, record_id(list_id))
    everyone = request.GET.get("limit") == "0"
    window = Window.from_request(request, default=40, cap=services.MAX_MEMBERS if everyone else 80)
    if everyone:
        window = Window(window.max_id, window.since_id, window.min_id, services.MAX_MEMBERS)
    rows = window.apply(services.members_of(lst))
    if not everyone:
        link_header(request, response, [m.id for m in rows])
    return render_accounts(account, [m.account for m in rows])


@router.post("/v1/lists/{list_id}/accounts", auth=scoped("write:lists"))
def add_members(request: HttpRequest, list_id: str) -> dict[str, Any]:
    params = validated(MembersIn, read_params(request))
    services.add_list_members(me(request), record_id(list_id), params.account_ids)
    return {}


@router.delete("/v1/lists/{list_id}/accounts", auth=scoped("write:lists"))
def remove_members(request: HttpRequest, list_id: str) -> dict[str, Any]:
    params = validated(MembersIn, read_params(request))
    services.remove_list_members(me(request), record_id(list_id), params.account_ids)
    return {}


@router.get("/v1/accounts/{account_id}/lists", auth=scoped("read:lists"))
def lists_with_account(request: HttpRequest, account_id: str) -> list[dict[str, Any]]:
    """The caller's lists that hold the account."""
    account = me(request)
    target = access_account_by_id(account, record_id(account_id))
    return [list_entity(lst) for lst in services.lists_containing(account, target.pk)]
