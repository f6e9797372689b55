"""``/api/v1/polls``: a poll (its ID is its post's) and voting in it. Spool polls are single choice."""

from __future__ import annotations

from typing import Any

import pydantic
from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import me, scoped, viewer
from spool.api.mastodon.entities import render_poll
from spool.api.mastodon.params import read_params, validated
from spool.core.errors import NotFound, ValidationError
from spool.identities.models import Account
from spool.posts import services
from spool.posts.access import access_post
from spool.posts.models import Poll

router = Router(tags=["polls"])


def _poll(caller: Account | None, poll_id: str) -> Poll:
    post = access_post(caller, poll_id)
    poll = Poll.objects.filter(post=post).first()
    if poll is None:
        raise NotFound("Record not found")
    return poll


@router.get("/v1/polls/{poll_id}", auth=scoped("read:statuses", optional=True))
def get_poll(request: HttpRequest, poll_id: str) -> dict[str, Any]:
    caller = viewer(request)
    return render_poll(caller, _poll(caller, poll_id))


class VoteIn(pydantic.BaseModel):
    choices: list[int] = pydantic.Field(min_length=1)


@router.post("/v1/polls/{poll_id}/votes", auth=scoped("write:statuses"))
def vote(request: HttpRequest, poll_id: str) -> dict[str, Any]:
    """Vote with ``choices[]`` (one index: Spool polls are single choice)."""
    actor = me(request)
    poll = _poll(actor, poll_id)
    data = validated(VoteIn, read_params(request))
    if len(set(data.choices)) > 1:
        raise ValidationError(
            "Validation failed: this poll allows one choice", code="invalid_option", field="choices"
        )
    services.vote_in_poll(actor, poll.pk, data.choices[0])
    return render_poll(actor, Poll.objects.get(pk=poll.pk))
