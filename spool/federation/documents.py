"""The ActivityStreams documents Spool serves (actors, posts, collections), or ``None`` when the thing is
not public or its owner does not federate — the caller answers 404 either way, so nothing leaks."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.actor import person
from spool.federation.outbound.create import create
from spool.federation.outbound.note import note
from spool.federation.policy import federates
from spool.federation.vocab import CONTEXT
from spool.identities.models import Account
from spool.posts.models import PinnedPost, Post

PAGE = 20


def federating_account(account_id: int | None = None, handle: str | None = None) -> Account | None:
    qs = Account.objects.active().local()
    account = (
        qs.filter(pk=account_id).first() if account_id is not None else qs.by_handle(handle or "").first()
    )
    return account if account is not None and federates(account) else None


def actor_document(account_id: int | None = None, handle: str | None = None) -> dict[str, Any] | None:
    account = federating_account(account_id, handle)
    return person(account) if account else None


def _public_posts(account: Account) -> Any:
    return (
        Post.objects.visible_to(None)
        .filter(author=account, ghost="")
        .select_related("author", "topic", "reply_to__author", "quote_of__author")
    )


def note_document(post_id: int) -> dict[str, Any] | None:
    post = (
        Post.objects.visible_to(None)
        .filter(pk=post_id, author__domain="", ghost="")
        .select_related("author", "topic", "reply_to__author", "quote_of__author")
        .first()
    )
    if post is None or not federates(post.author):
        return None
    return note(post)


def collection(account_id: int, kind: str) -> dict[str, Any] | None:
    """``outbox`` (the latest public posts as ``Create``s), ``featured`` (pinned posts), ``followers`` and
    ``following`` (counts only: who follows whom is not published)."""
    account = federating_account(account_id)
    if account is None:
        return None
    uri = f"{ids.actor_uri(account.pk)}/{kind}"
    base: dict[str, Any] = {"@context": CONTEXT, "id": uri, "type": "OrderedCollection"}
    if kind == "followers":
        return {**base, "totalItems": account.followers_count}
    if kind == "following":
        return {**base, "totalItems": account.following_count}
    if kind == "featured":
        pinned = (
            PinnedPost.objects.filter(account=account).order_by("-id").values_list("post_id", flat=True)[:5]
        )
        items = [note(p) for p in _public_posts(account).filter(pk__in=list(pinned))]
        for item in items:
            item.pop("@context", None)
        return {**base, "totalItems": len(items), "orderedItems": items}
    if account.is_private:
        return {**base, "totalItems": account.posts_count, "orderedItems": []}
    items = [create(p) for p in _public_posts(account).filter(is_reply=False).order_by("-id")[:PAGE]]
    for item in items:
        item.pop("@context", None)
    return {**base, "totalItems": account.posts_count, "orderedItems": items}
