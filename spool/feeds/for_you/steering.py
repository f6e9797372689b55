"""Steering For You: feedback on one post (show more / show less / not interested) and Dear Algo requests.

Every write validates first, writes in one transaction, and after commit ends the viewer's For You session
window (:func:`~spool.feeds.for_you.feed.forget_ranking`), so the next first page is ranked with it. Someone
else's request is ``NotFound``, as if missing; so is a post the person may not see.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import regex
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from spool.core.compiled import compiled
from spool.core.errors import Forbidden, NotFound, RateLimited, ValidationError
from spool.core.ratelimit import Limit, hit
from spool.feeds.for_you.dear_algo import parse_request
from spool.feeds.for_you.feed import forget_after_commit
from spool.feeds.for_you.models import DearAlgoRequest, FeedbackKind, PostFeedback
from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.events import PostCreated
from spool.posts.models import Post
from spool.rollout.evaluate import is_enabled
from spool.rollout.flags import DEAR_ALGO

DEAR_ALGO_DAYS = 3
MAX_REQUEST = 280
MAX_ACTIVE_REQUESTS = 20
FEEDBACK_LIMIT = Limit("feedback", 300, timedelta(hours=1))
DEAR_ALGO_LIMIT = Limit("dear_algo_requests", 30, timedelta(hours=1))
# Posts that start like this are read as Dear Algo requests.
_DEAR_ALGO_POST = regex.compile(r"^\s*dear\s+algo\b", regex.IGNORECASE)
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _kind(value: Any) -> str:
    if value not in FeedbackKind.values:
        raise ValidationError(
            f"kind must be one of {', '.join(FeedbackKind.values)}", code="invalid_kind", field="kind"
        )
    return str(value)


def give_feedback(account: Account, post_id: Any, kind: Any) -> PostFeedback:
    """Say "show more", "show less" or "not interested" about a post the person may see (not their own).
    A later kind replaces an earlier one. "show less" and "not interested" take the post out of For You
    at once; all three steer the author's and the topic's other posts (see ``scoring.steering``).
    Rate-limited (``FEEDBACK_LIMIT``)."""
    kind = _kind(kind)
    post = access_post(account, post_id)
    if post.author_id == account.id:
        raise ValidationError(
            "You can't steer For You with your own posts.", code="own_post", field="post_id"
        )
    hit(FEEDBACK_LIMIT, account.id)
    with transaction.atomic():
        feedback, _ = PostFeedback.objects.update_or_create(
            account=account,
            post_key=post.id,
            defaults={"post": post, "author_id": post.author_id, "topic_id": post.topic_id, "kind": kind},
        )
        forget_after_commit(account.id)
    return feedback


def undo_feedback(account: Account, post_id: Any) -> None:
    """Take back one's feedback on a post; ``NotFound`` when there is none."""
    try:
        key = int(post_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    with transaction.atomic():
        deleted, _ = PostFeedback.objects.filter(account=account, post_key=key).delete()
        if not deleted:
            raise NotFound()
        forget_after_commit(account.id)


def _request_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("Write what you'd like to see more or less of.", code="blank", field="text")
    text = text.strip()
    if len(text) > MAX_REQUEST:
        raise ValidationError(
            f"A request can be at most {MAX_REQUEST} characters.", code="too_long", field="text"
        )
    if _CONTROL.search(text):
        raise ValidationError(
            "The request contains control characters.", code="invalid_characters", field="text"
        )
    return text


def active_requests(account: Account) -> QuerySet[DearAlgoRequest]:
    """The person's requests still steering (not revoked, not expired), newest first."""
    return DearAlgoRequest.objects.filter(
        account=account, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-id")


def dear_algo_available(account: Account, country: str | None = None) -> bool:
    """Whether the ``dear_algo`` rollout flag lets ``account`` (in ``country``, when known) make requests."""
    return is_enabled(DEAR_ALGO, account, country)


def create_dear_algo_request(
    account: Account, text: Any, *, post_id: int | None = None, country: str | None = None
) -> DearAlgoRequest:
    """Read ``text`` ("show me more about cycling, less politics") into terms to lift and lower, active for
    ``DEAR_ALGO_DAYS`` days. Refused (nothing written): ``Forbidden`` (``feature_unavailable``) when the
    ``dear_algo`` rollout flag is off for the person in ``country`` (the front door's
    ``request_country``; ``None`` unknown); ``ValidationError`` when blank, longer than ``MAX_REQUEST``,
    when nothing in it reads as a request, or past ``MAX_ACTIVE_REQUESTS`` live ones. Rate-limited."""
    if not dear_algo_available(account, country):
        raise Forbidden("Dear Algo isn't available to you yet.", code="feature_unavailable")
    text = _request_text(text)
    parsed = parse_request(text)
    if parsed.empty:
        raise ValidationError(
            "Couldn't tell what to show more or less of. Try “more cycling” or “less politics”.",
            code="not_understood",
            field="text",
        )
    if active_requests(account).count() >= MAX_ACTIVE_REQUESTS:
        raise ValidationError(
            f"You can have at most {MAX_ACTIVE_REQUESTS} active requests; revoke one first.",
            code="too_many",
            field="text",
        )
    hit(DEAR_ALGO_LIMIT, account.id)
    with transaction.atomic():
        request = DearAlgoRequest.objects.create(
            account=account,
            text=text,
            more=list(parsed.more),
            less=list(parsed.less),
            post_id=post_id,
            expires_at=timezone.now() + timedelta(days=DEAR_ALGO_DAYS),
        )
        forget_after_commit(account.id)
    return request


def access_dear_algo_request(account: Account, request_id: Any) -> DearAlgoRequest:
    """The person's own request; ``NotFound`` for anyone else's or a missing one."""
    try:
        return DearAlgoRequest.objects.get(pk=int(request_id), account=account)
    except (DearAlgoRequest.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def revoke_dear_algo_request(account: Account, request_id: Any) -> DearAlgoRequest:
    """Stop a request steering For You now (revoking twice changes nothing)."""
    with transaction.atomic():
        request = access_dear_algo_request(account, request_id)
        if request.revoked_at is None:
            request.revoked_at = timezone.now()
            request.save(update_fields=["revoked_at"])
            forget_after_commit(account.id)
    return request


def is_dear_algo_post(text: str) -> bool:
    return bool(_DEAR_ALGO_POST.match(text or ""))


def on_post_created(event: PostCreated) -> None:
    """A top-level post that starts "Dear Algo" becomes a request too (in the post's transaction). A post
    that does not read as a request, or one past the limits, stays an ordinary post."""
    if event.reply_to_id is not None:
        return
    if event.text is not None:
        # The text as the post was written: every post the inbox receives no longer reads it back.
        text = event.text
        if not is_dear_algo_post(text) or not _TOP_LEVEL.run(id=event.post_id):
            return
    else:
        found = _TEXT.run(id=event.post_id)
        row = found[0] if found else None
        if row is None or row[1] or not is_dear_algo_post(row[0]):
            return
        text = row[0]
    try:
        with transaction.atomic():
            author = Account.objects.get(pk=event.author_id)
            create_dear_algo_request(author, text[:MAX_REQUEST], post_id=event.post_id)
    except (ValidationError, RateLimited, Forbidden):
        pass


# Read for every top-level post created (compiled once per process, :mod:`spool.core.compiled`).
_TEXT = compiled(lambda id: Post.objects.filter(pk=id).values_list("text", "is_reply")[:1], ints=("id",))
_TOP_LEVEL = compiled(
    lambda id: Post.objects.filter(pk=id, is_reply=False).values_list("id")[:1], ints=("id",)
)
