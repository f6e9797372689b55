"""For You on the native API: the ranked feed (``/feeds/for-you``, each item with its ``explanation``),
feedback on a post (``/posts/{id}/feedback``) and Dear Algo requests (``/dear-algo``). Mounted at the API's
root because its paths sit beside the posts and feeds of other routers. Thin: each endpoint calls one
function of :mod:`spool.feeds.for_you`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from spool.api.common.auth import current_account
from spool.api.native.posts import PostOut, post_out
from spool.feeds.for_you import steering
from spool.feeds.for_you.feed import for_you_page
from spool.feeds.for_you.models import DearAlgoRequest, PostFeedback
from spool.rollout.country import request_country

router = Router(tags=["for you"])


class ReasonOut(Schema):
    code: str
    text: str


class ExplanationOut(Schema):
    summary: str
    reasons: list[ReasonOut]


class ForYouPost(PostOut):
    explanation: ExplanationOut


class ForYouPageOut(Schema):
    items: list[ForYouPost]
    next_cursor: str | None


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str


class FeedbackOut(Schema):
    post_id: str
    kind: str
    created_at: datetime


class DearAlgoIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str


class DearAlgoOut(Schema):
    id: str
    text: str
    more: list[str]
    less: list[str]
    post_id: str | None
    created_at: datetime
    expires_at: datetime
    revoked: bool


def _request_out(r: DearAlgoRequest) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "text": r.text,
        "more": r.more,
        "less": r.less,
        "post_id": str(r.post_id) if r.post_id else None,
        "created_at": r.created_at,
        "expires_at": r.expires_at,
        "revoked": r.revoked_at is not None,
    }


def _feedback_out(f: PostFeedback) -> dict[str, Any]:
    return {"post_id": str(f.post_key), "kind": f.kind, "created_at": f.created_at}


@router.get("feeds/for-you", response=ForYouPageOut)
def for_you(request: HttpRequest, cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Posts picked for you, best first, each with why. Pass ``next_cursor`` back for the next page: the
    ranking is kept for the session, so pages never repeat or skip."""
    page = for_you_page(current_account(request), cursor, limit)
    return {
        "items": [{**post_out(i.card), "explanation": i.explanation.as_dict()} for i in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post("posts/{post_id}/feedback", response=FeedbackOut)
def give_feedback(request: HttpRequest, post_id: str, payload: FeedbackIn) -> dict[str, Any]:
    """``more``, ``less`` or ``not_interested`` about a post you can see (not your own); a later kind
    replaces an earlier one."""
    return _feedback_out(steering.give_feedback(current_account(request), post_id, payload.kind))


@router.delete("posts/{post_id}/feedback", response={204: None})
def undo_feedback(request: HttpRequest, post_id: str) -> Status[None]:
    steering.undo_feedback(current_account(request), post_id)
    return Status(204, None)


@router.get("dear-algo", response=list[DearAlgoOut])
def dear_algo_requests(request: HttpRequest) -> list[dict[str, Any]]:
    """Your active requests (not revoked, not expired), newest first."""
    return [_request_out(r) for r in steering.active_requests(current_account(request))]


@router.post("dear-algo", response={201: DearAlgoOut})
def create_dear_algo_request(request: HttpRequest, payload: DearAlgoIn) -> Status[dict[str, Any]]:
    """ "Show me more about cycling, less politics": read into terms, active for 3 days."""
    made = steering.create_dear_algo_request(
        current_account(request), payload.text, country=request_country(request)
    )
    return Status(201, _request_out(made))


@router.get("dear-algo/{request_id}", response=DearAlgoOut)
def get_dear_algo_request(request: HttpRequest, request_id: str) -> dict[str, Any]:
    return _request_out(steering.access_dear_algo_request(current_account(request), request_id))


@router.delete("dear-algo/{request_id}", response={204: None})
def revoke_dear_algo_request(request: HttpRequest, request_id: str) -> Status[None]:
    """Stop a request steering For You now."""
    steering.revoke_dear_algo_request(current_account(request), request_id)
    return Status(204, None)
