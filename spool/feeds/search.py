"""Search, the simple way (the seam issue 7 fills with full-text backends): accounts by handle or display
name prefix, topics by name prefix, and posts containing the words of a query among recent posts the
viewer may see. Every function is one bounded query: a page of at most ``MAX_RESULTS`` rows, and posts only
from the last ``POST_WINDOW`` (found through the time-ordered primary key)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from spool.core.errors import ValidationError
from spool.core.remote import looks_remote, resolve_remote_account
from spool.core.snowflake import id_at
from spool.identities.models import Account, Follow
from spool.posts.models import Post, Topic
from spool.posts.services.validation import normalise_topic

MAX_RESULTS = 40
MAX_QUERY = 200
MAX_OFFSET = 10_000
POST_WINDOW = timedelta(days=90)


def clean_query(q: object) -> str:
    if not isinstance(q, str) or not q.strip():
        raise ValidationError("Validation failed: q can't be blank", code="blank", field="q")
    q = q.strip()
    if len(q) > MAX_QUERY:
        raise ValidationError(f"Validation failed: q can be at most {MAX_QUERY} characters", field="q")
    return q


def _bounds(limit: int, offset: int) -> slice:
    limit = max(1, min(limit, MAX_RESULTS))
    offset = max(0, min(offset, MAX_OFFSET))
    return slice(offset, offset + limit)


def search_accounts(
    viewer: Account | None,
    q: str,
    *,
    limit: int = 20,
    offset: int = 0,
    following: bool = False,
    resolve: bool = False,
) -> list[Account]:
    """Local accounts the viewer may see whose handle or display name starts with ``q`` (a leading ``@``
    and a trailing ``@domain`` ignored): an exact handle first, then the most followed. With ``resolve``
    and a full fediverse handle (``@user@server``), the remote account is looked up (WebFinger) and comes
    first."""
    q = clean_query(q)
    if resolve and viewer is not None and offset == 0 and looks_remote(q, settings.SPOOL.domain):
        remote = resolve_remote_account(q)
        if remote is not None and Account.objects.visible_to(viewer).filter(pk=remote.pk).exists():
            return [remote]
    term = q.lstrip("@").split("@", 1)[0]
    if not term:
        return []
    qs = (
        Account.objects.visible_to(viewer)
        .local()
        .filter(Q(handle__istartswith=term) | Q(display_name__istartswith=term))
    )
    if following:
        if viewer is None:
            return []
        qs = qs.filter(pk__in=Follow.objects.filter(follower=viewer).values("followee_id"))
    exact = Case(When(handle__iexact=term, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(qs.order_by(exact, "-followers_count", "id")[_bounds(limit, offset)])


def search_topics(q: str, *, limit: int = 20, offset: int = 0) -> list[Topic]:
    """Topics whose name starts with ``q`` (``#`` optional, any case), the most used first."""
    key = normalise_topic(clean_query(q))
    if not key:
        return []
    return list(
        Topic.objects.filter(name__startswith=key).order_by("-posts_count", "name")[_bounds(limit, offset)]
    )


def search_posts(
    viewer: Account | None, q: str, *, limit: int = 20, offset: int = 0, account_id: int | None = None
) -> list[Post]:
    """Posts from the last ``POST_WINDOW`` the viewer may see whose text holds every word of ``q`` (any
    case), newest first; muted authors left out; only ``account_id``'s when given."""
    words = clean_query(q).split()[:10]
    since = id_at(timezone.now() - POST_WINDOW)
    qs = Post.objects.visible_to(viewer).in_feeds_of(viewer).filter(id__gte=since)
    if account_id is not None:
        qs = qs.filter(author_id=account_id)
    for word in words:
        qs = qs.filter(text__icontains=word)
    return list(qs.for_cards().order_by("-id")[_bounds(limit, offset)])
