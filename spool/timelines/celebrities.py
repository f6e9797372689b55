"""Merging at read time the posts of accounts that are not fanned out (more than ``fanout_threshold``
followers: celebrities, :mod:`spool.timelines.fanout`), and the registry read that starts every page.

:func:`read_registry` tells whether the viewer's timeline is held and returns a :class:`Celebrities`, which
gives a page's rounds the newest entries of the celebrities the viewer follows (and the viewer's own, when
the viewer is one).

- **PostgreSQL**: one prepared statement reads the registry row, the viewer's account *and* the first
  round's celebrity entries (:func:`_statement`): the celebrities come from the viewer's follows in the
  same statement, joined to the set of accounts above the threshold that the database keeps
  (``timelines_celebrities``, migration 0004, made anew for a changed threshold by
  :func:`sync_celebrities`), the viewer among them when their own follower count makes them one; each
  one's newest posts and reposts a backward index range (``LATERAL``), and only the newest ``count`` of
  them all come back. A warm page pays one query for all of it, the request's authentication included
  (the Mastodon API defers the account to it), planned once per connection. A later round asks again only
  when the first one came back full (otherwise it already held every entry below its bound).
- **SQLite** (no ``LATERAL``): the registry statement (with the viewer's account, when the caller has
  only its ID), then, when the viewer follows a celebrity, their IDs once per page and
  :func:`spool.timelines.fanout.newest_of` per round.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, QuerySet, Subquery

from spool.core.compiled import compiled
from spool.identities.models import Account, Follow
from spool.timelines.fanout import FOLLOWS, POSTS, REPOSTS, TIMELINES, newest_of
from spool.timelines.models import Timeline
from spool.timelines.stores import Entry, entries_of
from spool.timelines.versions import Named, fingerprint, postgres_known_sql

logger = logging.getLogger(__name__)
ACCOUNTS = Account._meta.db_table
# PostgreSQL: the accounts above the threshold and the threshold they were found for (migration 0004).
CELEBRITIES = "timelines_celebrities"
THRESHOLD = "timelines_celebrity_threshold"
# Stands for "no bound" in the prepared statement (a NULL bound would need an OR that no index range takes).
_NO_BOUND = 2**63 - 1


def _big(viewer: int, threshold: int) -> QuerySet[Any]:
    return Follow.objects.filter(follower_id=viewer, followee__followers_count__gt=threshold).values_list(
        "followee_id"
    )


def _registry(viewer: int, threshold: int) -> dict[str, Any]:
    """SQLite's registry columns: when the viewer's timeline was last read (``None``: not held) and whether
    they follow an account that is not fanned out."""
    return {
        "timeline_read_at": Subquery(Timeline.objects.filter(owner_id=viewer).values("active_at")[:1]),
        "follows_celebrity": Exists(_big(viewer, threshold)),
    }


# SQLite: the registry columns alone (the caller has the viewer's account), or with the account (as
# annotations of it: one statement for both, where reading the account apart cost the warm page a query
# and the ORM's compilation of it).
_REGISTRY = compiled(
    lambda viewer, threshold: Account.objects.filter(id=viewer).values_list(
        *_registry(viewer, threshold).values()
    ),
    ints=("viewer", "threshold"),
)
_REGISTRY_AND_VIEWER = compiled(
    lambda viewer, threshold: Account.objects.filter(id=viewer).annotate(**_registry(viewer, threshold)),
    ints=("viewer", "threshold"),
)
_CELEBRITIES = compiled(_big, ints=("viewer", "threshold"))

# PostgreSQL: the viewer's account as Django selects it (its columns and their converters), read in the
# registry statement.
_ACCOUNT = compiled(lambda viewer: Account.objects.filter(id=viewer), ints=("viewer",))
_STATEMENTS: dict[tuple[int, bool], str] = {}


def _statement(db: BaseDatabaseWrapper, threshold: int, versions: bool = False) -> str:
    """One row: the viewer's ``active_at`` (the registry), the sort and post IDs (two arrays) of the newest
    ``$3`` entries below ``$2`` of the accounts ``$1`` follows that have more than ``threshold``
    followers, and of ``$1`` when it has, the threshold ``timelines_celebrities`` was made for, then the
    columns of ``$1``'s account (NULL when there is no such account). The entries come back as arrays, not
    rows, so that each does not carry the account's columns (a union's rows all have the same columns).
    The threshold is written in, not bound: with it bound PostgreSQL cannot tell how many follows pass, and
    plans the statement anew on every run rather than once per connection. ``versions``: a fifth column
    before the account's, the versions of a remembered page
    (:func:`spool.timelines.versions.postgres_known_sql`, where its rows are in ``$4`` to ``$11``).

    The followed celebrities are the viewer's follows (an index-only range) joined to
    ``timelines_celebrities`` when it was made for ``threshold``: reading each followed account's
    ``followers_count`` instead costs an index descent and a heap page per follow (~90 of a warm hit's ~200
    buffers for a reader following 30 accounts, ~3,000 for one following a thousand). When it was made for
    another threshold they are read from ``followers_count``, as before: the threshold row decides which
    branch runs (one-time filters), in the statement's one snapshot."""
    found = _STATEMENTS.get((threshold, versions))
    if found is None:
        account_sql, slots, *_ = _ACCOUNT._compile(db)
        assert [n for _, n in slots] == ["viewer"]  # its one placeholder is $1, the viewer
        # Table names are ours, every value but the threshold (an int) a parameter.
        named = tuple(f"${at}" for at in range(4, 4 + len(Named._fields)))
        fingerprint = f" {postgres_known_sql(named)}," if versions else ""
        found = _STATEMENTS[threshold, versions] = (
            f"WITH s AS (SELECT f.followee_id AS account_id FROM {FOLLOWS} f"  # noqa: S608
            f"   JOIN {CELEBRITIES} c ON c.account_id = f.followee_id"
            f"   WHERE f.follower_id = $1::bigint AND (SELECT threshold FROM {THRESHOLD}) = {int(threshold)}"
            f"  UNION SELECT f.followee_id FROM {FOLLOWS} f"
            f"   JOIN {ACCOUNTS} a ON a.id = f.followee_id"
            f"   WHERE f.follower_id = $1::bigint AND a.followers_count > {int(threshold)}"
            f"   AND (SELECT threshold FROM {THRESHOLD}) IS DISTINCT FROM {int(threshold)}"
            f"  UNION SELECT id FROM {ACCOUNTS} WHERE id = $1::bigint AND followers_count > {int(threshold)})"
            f" SELECT (SELECT active_at FROM {TIMELINES} WHERE owner_id = $1::bigint),"
            f" found.sort_ids, found.post_ids, (SELECT threshold FROM {THRESHOLD}),"
            f" (SELECT array_agg(account_id) FROM s),{fingerprint} viewer.*"
            f" FROM (SELECT 1) one LEFT JOIN ({account_sql}) viewer ON true"
            " CROSS JOIN (SELECT array_agg(sort_id) AS sort_ids, array_agg(post_id) AS post_ids FROM ("
            "  SELECT e.sort_id, e.post_id FROM s CROSS JOIN LATERAL ("
            f"  (SELECT id AS sort_id, id AS post_id FROM {POSTS} WHERE author_id = s.account_id"
            "   AND is_reply = false AND id < $2::bigint ORDER BY id DESC LIMIT $3::integer)"
            "  UNION ALL"
            f"  (SELECT id, post_id FROM {REPOSTS} WHERE account_id = s.account_id AND id < $2::bigint"
            "   ORDER BY id DESC LIMIT $3::integer)"
            "  ) e ORDER BY e.sort_id DESC LIMIT $3::integer"
            " ) newest) found"
        )
    return found


# By vendor: the converters and attribute names of _ACCOUNT's columns (read once; every request asks).
_ACCOUNT_COLUMNS: dict[str, tuple[Any, list[str]]] = {}


def _account(db: BaseDatabaseWrapper, columns: Sequence[Any]) -> Account | None:
    """The viewer's account from its columns in the registry row (None: no such account)."""
    if columns[0] is None:
        return None
    found = _ACCOUNT_COLUMNS.get(db.vendor)
    if found is None:
        _, _, _, convert, compiler, _ = _ACCOUNT._compile(db)
        found = _ACCOUNT_COLUMNS[db.vendor] = (
            convert,
            [column[0].target.attname for column in compiler.select],
        )
    convert, names = found
    values = convert([columns])[0] if convert is not None else columns
    return Account.from_db(db.alias, names, values)


class _PgRegistry(NamedTuple):
    active_at: datetime | None
    entries: list[Entry]
    account: Account | None
    versions: bytes | None
    merged: frozenset[int] | None


def _registry_pg(
    viewer: int, threshold: int, before: int | None, count: int, known: Named | None = None
) -> _PgRegistry:
    db = connections[DEFAULT_DB_ALIAS]  # once: each ``connection.…`` goes through a context-local
    with db.native_cursor() as cursor:  # type: ignore[attr-defined]
        bound = _NO_BOUND if before is None else before
        params: list[Any] = [viewer, bound, count]
        if known is not None:
            params += known
        cursor.execute(_statement(db, threshold, known is not None), params)
        active_at, sort_ids, post_ids, made_for, followed, *columns = cursor.fetchone()
    if made_for != threshold:
        _read_counts_instead(threshold, made_for)
    versions = None
    if known is not None:
        versions = fingerprint(columns.pop(0))
    entries = entries_of(zip(sort_ids, post_ids, strict=True)) if sort_ids else []
    entries.sort(reverse=True)  # newest first (the arrays' order is not promised)
    # The merged accounts, when the set they came from is the one the database announces new entries of.
    merged = frozenset(followed or ()) if made_for == threshold else None
    return _PgRegistry(active_at, entries, _account(db, columns), versions, merged)


_warned: set[int] = set()


def _read_counts_instead(threshold: int, made_for: int | None) -> None:
    """The registry found ``timelines_celebrities`` made for ``made_for``, not for this process's
    ``threshold``: its pages read ``followers_count`` instead (correct, as dear as before the set). Said once
    per process: the set is made anew by ``manage.py sync_celebrities``, not by a reader (its rebuild locks
    the accounts' writers out, and two processes set differently would take it from each other)."""
    if threshold not in _warned:
        _warned.add(threshold)
        logger.warning(
            "timelines_celebrities was made for fanout_threshold %s, not %s: home pages read every followed"
            " account's follower count until `manage.py sync_celebrities` is run",
            made_for,
            threshold,
        )


def sync_celebrities(threshold: int) -> int:
    """PostgreSQL (``manage.py sync_celebrities``, after ``fanout_threshold`` changed): make
    ``timelines_celebrities`` the accounts with more than ``threshold`` followers, and record the threshold
    (the trigger keeps the set from then on: migration 0004). Locks the threshold's table
    (one rebuild at a time), then ``identities_account`` in SHARE mode for the rebuild (one scan of the
    accounts): a writer of accounts in flight is waited for, and a later one waits, then finds the new
    threshold in its trigger, so no follower count crosses it unseen. Returns how many accounts it holds."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {THRESHOLD} IN EXCLUSIVE MODE")
        cursor.execute(f"LOCK TABLE {ACCOUNTS} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {THRESHOLD}")  # noqa: S608
        cursor.execute(f"INSERT INTO {THRESHOLD} (threshold) VALUES (%s)", [threshold])  # noqa: S608
        cursor.execute(f"DELETE FROM {CELEBRITIES}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {CELEBRITIES} (account_id) SELECT id FROM {ACCOUNTS} WHERE followers_count > %s",  # noqa: S608
            [threshold],
        )
        return int(cursor.rowcount)


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
            return _registry_pg(self.viewer, self.threshold, before, count).entries
        return newest_of(self.ids(), before, count)

    def ids(self) -> Sequence[int]:
        """SQLite: the celebrities the viewer follows and the viewer if they are one (read once)."""
        if self._ids is None:
            followed = _CELEBRITIES.run(viewer=self.viewer, threshold=self.threshold) if self.follows else []
            self._ids = [r[0] for r in followed] + ([self.viewer] if self.itself else [])
        return self._ids


class Registry(NamedTuple):
    """What :func:`read_registry` read."""

    active_at: datetime | None
    celebrities: Celebrities
    account: Account
    # PostgreSQL, asked with a remembered page: its versions' digest (spool.timelines.versions), read in
    # the same statement.
    versions: bytes | None = None
    # PostgreSQL: the accounts merged at read time (followed celebrities, and the viewer if one), when
    # taken from the set the database keeps for this threshold (whose new entries it announces,
    # spool.timelines.notices); None otherwise.
    merged: frozenset[int] | None = None


def read_registry(
    viewer: Account | int,
    threshold: int,
    before: int | None = None,
    count: int = 0,
    known: Named | None = None,
) -> Registry:
    """When ``viewer`` last read their timeline (``None``: it is not held), their celebrities, with (on
    PostgreSQL, in the same statement) the newest ``count`` entries below ``before``, and the viewer's
    account. Given only the viewer's ID, the account is read in the same statement; raises
    ``Account.DoesNotExist`` when there is no such account. ``known``: on PostgreSQL, also the versions of
    a remembered page (where its versions found their rows: :mod:`spool.timelines.versions`), in the same
    statement."""
    viewer_id = viewer if isinstance(viewer, int) else viewer.id
    if connection.vendor == "postgresql":
        read = _registry_pg(viewer_id, threshold, before, count, known)
        account = read.account
        if account is None:
            raise Account.DoesNotExist(f"no account {viewer_id}")
        itself = account.followers_count > threshold
        first = (before, count, read.entries)
        celebrities = Celebrities(viewer_id, itself, threshold, first=first)
        return Registry(read.active_at, celebrities, account, read.versions, read.merged)
    read_at, follows, account = _registry_sqlite(viewer, threshold)
    itself = account.followers_count > threshold
    return Registry(read_at, Celebrities(viewer_id, itself, threshold, follows=follows), account)


def _registry_sqlite(viewer: Account | int, threshold: int) -> tuple[datetime | None, bool, Account]:
    """SQLite's registry statement: when the timeline was last read, whether the viewer follows a
    celebrity, and the viewer's account (read in the same statement when only its ID is given)."""
    if isinstance(viewer, Account):
        rows = _REGISTRY.run(viewer=viewer.id, threshold=threshold)
        read_at, follows = rows[0] if rows else (None, True)
        return read_at, bool(follows), viewer
    found: list[Any] = _REGISTRY_AND_VIEWER.models(viewer=viewer, threshold=threshold)
    if not found:
        raise Account.DoesNotExist(f"no account {viewer}")
    return found[0].timeline_read_at, found[0].follows_celebrity, found[0]
