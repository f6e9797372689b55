"""``/api/v1/blocks``: the accounts the person blocks, newest block first, paged by the block's ID."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import render_accounts
from spool.api.mastodon.pagination import Window, link_header
from spool.identities.models import Block

router = Router(tags=["blocks"])


def edge_accounts(
    request: HttpRequest, response: HttpResponse, edges: QuerySet[Any], target: str
) -> list[dict[str, Any]]:
    """A page of graph ``edges`` (newest first, ``limit`` 40 by default, at most 80), rendered as the
    accounts at ``target``; deactivated accounts are left out. The ``Link`` header pages by edge ID."""
    window = Window.from_request(request, default=40, cap=80)
    rows = window.apply(edges.filter(**{f"{target}__is_active": True}).select_related(target))
    link_header(request, response, [r.id for r in rows])
    return render_accounts(me(request), [getattr(r, target) for r in rows])


@router.get("/v1/blocks", auth=scoped("read:blocks"))
def blocks(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    return edge_accounts(request, response, Block.objects.filter(blocker=me(request)), "blocked")
