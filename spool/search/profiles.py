"""Searching profiles and topics (logged-out visitors too).

Profiles: handle or display name starting with the query, most followed first (an exact handle before
everything). ``@user@server`` (or ``user@server``) is an exact lookup: this server's own accounts by handle,
a fediverse account already stored, or — once federation resolves WebFinger — one fetched through the hook
:func:`resolve_remote_account`. Both lists page with an opaque offset cursor, bounded by ``MAX_OFFSET``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When

from spool.core import remote
from spool.core.errors import ValidationError
from spool.core.pagination import MAX_PAGE
from spool.identities.models import Account, Follow
from spool.posts.models import Topic
from spool.posts.services.validation import normalise_topic
from spool.search.query import clean_query
from spool.search.reads import SearchPage

MAX_OFFSET = 1000
T = TypeVar("T")


def resolve_remote_account(handle: str, domain: str) -> Account | None:
    """The fediverse account ``handle@domain`` fetched from its server (WebFinger, then the actor), stored as
    a remote Account, through the seam federation registers in :mod:`spool.core.remote` (``None`` without
    federation)."""
    found = remote.resolve_remote_account(f"{handle}@{domain}")
    return found if isinstance(found, Account) else None


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit() or int(cursor) > MAX_OFFSET:
        raise ValidationError("The cursor is not valid.", code="invalid_cursor", field="cursor")
    return int(cursor)


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, min(int(offset), MAX_OFFSET))
    return offset, offset + limit


def _paged(rows: Callable[[int, int], list[T]], cursor: str | None, limit: int) -> SearchPage[T]:
    """A page from ``rows(start, stop)``, reading one row more to know whether another page follows."""
    start, stop = _bounds(limit, _offset(cursor))
    found = rows(start, stop + 1)
    more = len(found) > stop - start and stop < MAX_OFFSET
    return SearchPage(found[: stop - start], str(stop) if more else None)


def _exact(viewer: Account | None, handle: str, domain: str) -> list[Account]:
    if not handle or not domain:
        return []
    visible = Account.objects.visible_to(viewer)
    if domain.casefold() == settings.SPOOL.domain.casefold():
        return list(visible.by_handle(handle)[:1])
    stored = visible.filter(handle__iexact=handle, domain__iexact=domain).first()
    if stored is not None:
        return [stored]
    if viewer is None:  # only signed-in people make the server fetch from others
        return []
    fetched = resolve_remote_account(handle, domain)
    return [fetched] if fetched is not None and visible.filter(pk=fetched.pk).exists() else []


def _profiles(viewer: Account | None, q: object, start: int, stop: int, following: bool) -> list[Account]:
    term = clean_query(q).lstrip("@")
    if following and viewer is None:
        return []
    handle, at, domain = term.partition("@")
    if at:
        found = _exact(viewer, handle, domain) if start == 0 else []
        if following and found:
            found = [a for a in found if Follow.objects.filter(follower=viewer, followee=a).exists()]
        return found
    if not term:
        return []
    qs = Account.objects.visible_to(viewer).filter(
        Q(handle__istartswith=term) | Q(display_name__istartswith=term)
    )
    if following:
        qs = qs.filter(pk__in=Follow.objects.filter(follower=viewer).values("followee_id"))
    exact = Case(When(handle__iexact=term, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(qs.order_by(exact, "-followers_count", "id")[start:stop])


def find_profiles(
    viewer: Account | None, q: object, *, offset: int = 0, limit: int = 20, following: bool = False
) -> list[Account]:
    """Accounts for the query (see the module docstring); ``following`` keeps those the viewer follows."""
    start, stop = _bounds(limit, offset)
    return _profiles(viewer, q, start, stop, following)


def search_profiles(
    viewer: Account | None, q: object, *, cursor: str | None = None, limit: int = 20
) -> SearchPage[Account]:
    """:func:`find_profiles` a page at a time."""
    return _paged(lambda start, stop: _profiles(viewer, q, start, stop, False), cursor, limit)


def _topics(q: object, start: int, stop: int) -> list[Topic]:
    key = normalise_topic(clean_query(q))
    if not key:
        return []
    return list(Topic.objects.filter(name__startswith=key).order_by("-posts_count", "name")[start:stop])


def find_topics(q: object, *, offset: int = 0, limit: int = 20) -> list[Topic]:
    """Topics whose name starts with the query (``#`` optional, any case), the most used first."""
    start, stop = _bounds(limit, offset)
    return _topics(q, start, stop)


def search_topics(q: object, *, cursor: str | None = None, limit: int = 20) -> SearchPage[Topic]:
    """:func:`find_topics` a page at a time."""
    return _paged(lambda start, stop: _topics(q, start, stop), cursor, limit)
