"""Merging at read time the posts of accounts that are not fanned out (more than ``fanout_threshold``
followers: celebrities, :mod:`spool.timelines.fanout`), and the registry read that starts every page.

:func:`read_registry` tells whether the viewer's timeline is held and returns a :class:`Celebrities`, which
gives a page's rounds the newest entries of the celebrities the viewer follows (and the viewer's own, when
the viewer is one).

- **PostgreSQL**: one prepared statement reads the registry row *and* the first round's celebrity entries
  (:func:`_statement`): the celebrities come from the viewer's follows in the same statement, each one's
  newest posts and reposts a backward index range (``LATERAL``), and only the newest ``count`` of them all
  come back. A warm page pays one query for all of it, planned once per connection. A later round asks
  again only when the first one came back full (otherwise it already held every entry below its bound).
- **SQLite** (no ``LATERAL``): the registry statement, then, when the viewer follows a celebrity, their IDs
  once per page and :func:`spool.timelines.fanout.newest_of` per round.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, QuerySet, Subquery

from spool.core.compiled import compiled
from spool.identities.models import Account, Follow
from spool.timelines.fanout import FOLLOWS, POSTS, REPOSTS, TIMELINES, newest_of
from spool.timelines.models import Timeline
from spool.timelines.stores import Entry

ACCOUNTS = Account._meta.db_table
# Stands for "no bound" in the prepared statement (a NULL bound would need an OR that no index range takes).
_NO_BOUND = 2**63 - 1


def _big(viewer: int, threshold: int) -> QuerySet[Any]:
    return Follow.objects.filter(follower_id=viewer, followee__followers_count__gt=threshold).values_list(
        "followee_id"
    )


# SQLite: when the viewer's timeline was last read (``None``: not held) and whether they follow an account
# that is not fanned out.
_REGISTRY = compiled(
    lambda viewer, threshold: Account.objects.filter(id=viewer).values_list(
        Subquery(Timeline.objects.filter(owner_id=viewer).values("active_at")[:1]),
        Exists(_big(viewer, threshold)),
    ),
    ints=("viewer", "threshold"),
)
_CELEBRITIES = compiled(_big, ints=("viewer", "threshold"))

_STATEMENTS: dict[int, str] = {}


def _statement(threshold: int) -> str:
    """The registry row (NULL entry, ``active_at``) and the newest ``$4`` entries below ``$3`` of the
    accounts ``$1`` follows that have more than ``threshold`` followers, and of ``$1`` when ``$2``. The
    threshold is written in, not bound: with it bound PostgreSQL cannot tell how many follows pass, and
    plans the statement anew on every run rather than once per connection."""
    found = _STATEMENTS.get(threshold)
    if found is None:
        # Table names are ours, every value but the threshold (an int) a parameter.
        found = _STATEMENTS[threshold] = (
            "SELECT NULL::bigint, NULL::bigint,"  # noqa: S608
            f" (SELECT active_at FROM {TIMELINES} WHERE owner_id = $1::bigint)"
            " UNION ALL (SELECT e.sort_id, e.post_id, NULL FROM ("
            f" SELECT f.followee_id AS account_id FROM {FOLLOWS} f JOIN {ACCOUNTS} a ON a.id = f.followee_id"
            f"  WHERE f.follower_id = $1::bigint AND a.followers_count > {int(threshold)}"
            " UNION SELECT $1::bigint WHERE $2::boolean"
            ") s CROSS JOIN LATERAL ("
            f" (SELECT id AS sort_id, id AS post_id FROM {POSTS} WHERE author_id = s.account_id"
            "  AND is_reply = false AND id < $3::bigint ORDER BY id DESC LIMIT $4::integer)"
            " UNION ALL"
            f" (SELECT id, post_id FROM {REPOSTS} WHERE account_id = s.account_id AND id < $3::bigint"
            "  ORDER BY id DESC LIMIT $4::integer)"
            ") e ORDER BY e.sort_id DESC LIMIT $4::integer)"
        )
    return found


def _registry_pg(
    viewer: int, itself: bool, threshold: int, before: int | None, count: int
) -> tuple[datetime | None, list[Entry]]:
    active_at = None
    entries = []
    with connection.native_cursor() as cursor:  # type: ignore[attr-defined]
        bound = _NO_BOUND if before is None else before
        cursor.execute(_statement(threshold), [viewer, itself, bound, count])
        for sort_id, post_id, read_at in cursor.fetchall():
            if sort_id is None:
                active_at = read_at
            else:
                entries.append(Entry(sort_id, post_id))
    entries.sort(reverse=True)
    return active_at, entries


class Celebrities:
    """The entries a viewer's page merges in at read time, round by round (:meth:`entries`)."""

    def __init__(
        self,
        viewer: int,
        itself: bool,
        threshold: int,
        follows: bool = True,
        first: tuple[int | None, int, list[Entry]] | None = None,
    ) -> None:
        self.viewer = viewer
        self.itself = itself
        self.threshold = threshold
        self.follows = follows  # whether the viewer may follow a celebrity (SQLite's registry tells)
        self.first = first  # PostgreSQL: the registry read's entries, as (bound, count, entries)
        self._ids: list[int] | None = None

    def entries(self, before: int | None, count: int) -> list[Entry]:
        """The newest ``count`` entries below ``before`` (at most ``count`` per account on SQLite)."""
        if self.first is not None:
            bound, asked, found = self.first
            if before == bound and count <= asked:
                return found[:count]
            if len(found) < asked and (bound is None or (before is not None and before <= bound)):
                # Not full: it held every entry below its bound, these among them.
                return [e for e in found if before is None or e.sort_id < before][:count]
        if connection.vendor == "postgresql":
            return _registry_pg(self.viewer, self.itself, self.threshold, before, count)[1]
        return newest_of(self.ids(), before, count)

    def ids(self) -> Sequence[int]:
        """SQLite: the celebrities the viewer follows and the viewer if they are one (read once)."""
        if self._ids is None:
            followed = _CELEBRITIES.run(viewer=self.viewer, threshold=self.threshold) if self.follows else []
            self._ids = [r[0] for r in followed] + ([self.viewer] if self.itself else [])
        return self._ids


def read_registry(
    viewer: int, itself: bool, threshold: int, before: int | None = None, count: int = 0
) -> tuple[datetime | None, Celebrities]:
    """When ``viewer`` last read their timeline (``None``: it is not held), and their celebrities, with
    (on PostgreSQL, in the same statement) the newest ``count`` entries below ``before``. ``itself``:
    whether the viewer is a celebrity."""
    if connection.vendor == "postgresql":
        active_at, entries = _registry_pg(viewer, itself, threshold, before, count)
        return active_at, Celebrities(viewer, itself, threshold, first=(before, count, entries))
    rows = _REGISTRY.run(viewer=viewer, threshold=threshold)
    read_at, follows = rows[0] if rows else (None, True)
    return read_at, Celebrities(viewer, itself, threshold, follows=bool(follows))
