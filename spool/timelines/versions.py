"""The versions of everything a home page is decided and rendered from, as one value: a remembered page
(:mod:`spool.api.mastodon.page_cache`) is served again only while this value and the page's window are
unchanged.

Given the viewer and the page's window (the first round's candidate entries: post IDs and repost IDs),
one statement reads, navigating from the window's IDs (so a candidate that does not show counts as much as
one that does):

- ``p`` each candidate post: its row, its author's, its parent's and root's and their authors' (the
  visibility rule reads ``reply_to_author``/``root_author``/``root_ghost`` on the reply and the authors'
  privacy), its link card's and topic's; the relation revisions of the parent's and root's authors
  (restricts are theirs). A deleted row leaves its place empty, so the value changes.
- ``r`` each candidate repost and its reposter.
- ``v`` the viewer's account, the viewer's relation revision and the site's (revision of account 0).

What decides which repost of a post shows (its newest by the viewer or someone they follow, active, not
muted) is covered without reading those reposts: a repost written or undone changes its post's
``reposts_count`` (in the same transaction), a follow or mute the viewer's revision, and a reposter
deactivated or coming back the site's (a trigger on ``identities_account.is_active``, migration 0003).

A page's value names every row it read (kind|ID|version, relation revisions included with 0 for an
account that has none yet), so a remembered page is checked by reading those rows again rather than
navigating from the window again: each named ID is covered by the version of the row that names it (a post
whose author, parent, card or topic changed has a new version itself). On PostgreSQL the value also says
where it found each row (its ``ctid``), and the check reads each row there (:func:`postgres_known_sql`,
:class:`Named`): one heap access a row instead of an index descent and a heap access.

A row's version is PostgreSQL's ``xmin`` (every UPDATE writes a new tuple; freezing keeps the value since
9.4; counters are written by UPDATE in the like's and repost's own transaction, spool.core.counters), and on
SQLite a counter that a trigger bumps after every UPDATE (``timelines_row_versions``). Relation revisions
(``timelines_revisions``) are bumped by triggers on the relation tables: see the migration
``spool/timelines/migrations/0002_page_versions.py``.

The value must be read no later than the page it describes (before, or in the same statement): a change
committed in between then makes the next check fail, never a stale page pass.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import connection

from spool.core.compiled import ids_param

REVISIONS = "timelines_revisions"
ROW_VERSIONS = "timelines_row_versions"


def _version(vendor: str, alias: str) -> str:
    """The version of the row at ``alias`` (one that exists), as text."""
    if vendor == "postgresql":
        return f"{alias}.xmin::text"
    return f"coalesce((SELECT version FROM {ROW_VERSIONS} WHERE id = {alias}.id), 0)"  # noqa: S608


# The columns of a candidate post the fingerprint reads past its version.
_NAMED = ", ".join(
    f"p.{c}"
    for c in (
        "id", "author_id", "reply_to_author_id", "root_author_id", "reply_to_id", "root_id", "card_id",
        "topic_id",
    )
)  # fmt: skip


def _body(vendor: str, viewer: str, posts: str, reposts: str) -> str:
    """The statement's rows (one text column ``v``: kind, ID, version), given its three placeholders. The
    candidate posts are read once (``vp``); the accounts, parents, roots, cards and topics they name are each
    read once however many posts name them. Each row's own version covers the IDs it names, so the set of
    (kind, ID, version) is the whole fingerprint. On PostgreSQL each row also has its kind ``k`` and its
    ``ctid`` (NULL for a revision), which the fingerprint does not read: where a hit reads the row again
    (:func:`postgres_known_sql`)."""
    postgres = vendor == "postgresql"
    if postgres:
        posts_in, reposts_in = f"= ANY({posts}::bigint[])", f"= ANY({reposts}::bigint[])"
        materialized = "MATERIALIZED "
    else:
        posts_in = f"IN (SELECT value FROM json_each({posts}))"  # noqa: S608
        reposts_in = f"IN (SELECT value FROM json_each({reposts}))"  # noqa: S608
        materialized = ""

    def v(alias: str) -> str:
        return _version(vendor, alias)

    def row(kind: str, alias: str, *more: str) -> str:
        parts = [f"'{kind}|'", f"{alias}.id", "'|'", v(alias), *more]
        if not postgres:
            return f"({' || '.join(parts)})"
        return f"concat({', '.join(parts)}), '{kind}', {alias}.ctid"

    reposters = f"SELECT account_id FROM posts_repost WHERE id {reposts_in}"  # noqa: S608
    people = (
        "SELECT author_id FROM vp UNION SELECT reply_to_author_id FROM vp"  # noqa: S608
        f" UNION SELECT root_author_id FROM vp UNION SELECT {viewer} UNION {reposters}"
    )
    vp_ctid, p_where, no_ctid = (
        (", p.ctid", ", 'p' AS k, vp.ctid AS c", ", 'R', NULL::tid") if postgres else ("", "", "")
    )
    # Table names are ours, every value a placeholder.
    return (
        f"WITH vp AS {materialized}(SELECT {_NAMED}{vp_ctid}, {v('p')} AS version"  # noqa: S608
        f" FROM posts_post p WHERE p.id {posts_in})"
        f" SELECT 'p|' || vp.id || '|' || vp.version AS v{p_where} FROM vp"
        f" UNION ALL SELECT {row('a', 'a')} FROM identities_account a WHERE a.id IN ({people})"
        f" UNION ALL SELECT {row('q', 'q')} FROM posts_post q"
        " WHERE q.id IN (SELECT reply_to_id FROM vp UNION SELECT root_id FROM vp)"
        f" UNION ALL SELECT {row('c', 'c')} FROM posts_linkcard c WHERE c.id IN (SELECT card_id FROM vp)"
        f" UNION ALL SELECT {row('t', 't')} FROM posts_topic t WHERE t.id IN (SELECT topic_id FROM vp)"
        f" UNION ALL SELECT 'R|' || x.id || '|' || coalesce((SELECT revision FROM {REVISIONS}"
        f" WHERE account_id = x.id), 0){no_ctid} FROM (SELECT reply_to_author_id AS id FROM vp"
        f" UNION SELECT root_author_id FROM vp UNION SELECT {viewer} UNION SELECT 0) x WHERE x.id IS NOT NULL"
        f" UNION ALL SELECT {row('r', 'r')} FROM posts_repost r WHERE r.id {reposts_in}"
    )


# The fingerprint's text: its items in byte order, whatever the database's collation (cheaper to sort).
_AGG = "string_agg(s.v, ',' ORDER BY s.v COLLATE \"C\")"
# The kinds of row a hit reads again by ``ctid``, in :class:`Named`'s order, and their tables.
_BY_CTID = {
    "p": "posts_post",
    "r": "posts_repost",
    "a": "identities_account",
    "q": "posts_post",
    "c": "posts_linkcard",
    "t": "posts_topic",
}
# What the navigating value adds after the fingerprint's text: each kind's ctids, as array literals.
_CTIDS = "".join(
    f" || ';' || coalesce((array_agg(s.c) FILTER (WHERE s.k = '{kind}'))::text, '{{}}')" for kind in _BY_CTID
)


_SQL: dict[tuple[str, ...], str] = {}


def postgres_versions_sql(viewer: str, posts: str, reposts: str) -> str:
    """PostgreSQL: a scalar subquery's SQL (one text value) for the placeholders given (``$1``…), to read
    in another statement (the registry's: :mod:`spool.timelines.celebrities`)."""
    key = ("postgresql", viewer, posts, reposts)
    found = _SQL.get(key)
    if found is None:
        body = _body("postgresql", viewer, posts, reposts)
        found = _SQL[key] = f"(SELECT {_AGG}{_CTIDS} FROM ({body}) s)"  # noqa: S608
    return found


def postgres_known_sql(named: Sequence[str]) -> str:
    """PostgreSQL: the text :func:`postgres_versions_sql`'s value starts with (what the fingerprint reads),
    for a page whose rows are known (:class:`Named`'s arrays, as placeholders in its order): each row read
    at its ``ctid``, no navigation and no index. Equal to the navigating value's while none of those rows
    changed.

    A row is read where the page found it (a TID scan: one heap access a row, where a probe by ID descends
    an index first), and only if that very row version is still visible there. An UPDATE writes the row
    anew (a new ``ctid``, or the same slot only once the old version is dead and vacuumed, with a newer
    ``xmin``) and a DELETE leaves it invisible: either way the row's ``kind|ID|version`` reads differently or
    not at all, and the value differs (any row version found at the slot later was written later: another
    ID, or a newer ``xmin``). A window ID that had no row is looked for by ID (``absent``: usually none),
    so a row appearing under it later changes the value too."""
    key = ("known", *named)
    found = _SQL.get(key)
    if found is None:
        *ctids, revisions, absent = named

        def rows(kind: str, table: str, where: str) -> str:
            # Table names are ours, every value a placeholder.
            return f"SELECT concat('{kind}|', x.id, '|', x.xmin::text) FROM {table} x WHERE {where}"  # noqa: S608

        body = " UNION ALL ".join(
            (
                *(
                    rows(kind, table, f"x.ctid = ANY({at}::tid[])")
                    for (kind, table), at in zip(_BY_CTID.items(), ctids, strict=True)
                ),
                f"SELECT 'R|' || x.id || '|' || coalesce(r.revision, 0)"  # noqa: S608
                f" FROM unnest({revisions}::bigint[]) x (id) LEFT JOIN {REVISIONS} r ON r.account_id = x.id",
                rows("p", "posts_post", f"x.id = ANY({absent}::bigint[])"),
                rows("r", "posts_repost", f"x.id = ANY({absent}::bigint[])"),
            )
        )
        found = _SQL[key] = f"(SELECT {_AGG} FROM ({body}) s (v))"  # noqa: S608
    return found


def fingerprint(text: str | None) -> bytes:
    """What a page keeps of the versions' value: a 128-bit digest (the text runs to kilobytes)."""
    return hashlib.blake2b((text or "").encode(), digest_size=16).digest()


class Named(NamedTuple):
    """Where a page's versions value found its rows, as array literals (the parameters of
    :func:`postgres_known_sql`): each kind's ``ctid`` values (window posts, window reposts, accounts, parents
    and roots, cards, topics), the accounts whose relation revisions it read, and the window's IDs that had
    no row."""

    posts: str
    reposts: str
    accounts: str
    parents: str
    cards: str
    topics: str
    revisions: str
    absent: str


def read_value(value: str | None, window: Window) -> Versions:
    """A page's :class:`Versions` from :func:`postgres_versions_sql`'s value, read for ``window``."""
    text, *ctids = (value or "").split(";")
    revisions: list[str] = []
    found: set[str] = set()
    notices: set[str] = set()
    for item in text.split(","):
        kind, _, rest = item.partition("|")
        key = rest.partition("|")[0]
        if kind == "R":
            revisions.append(key)
            notices.add(sys.intern(f"R{key}"))
        else:
            notices.add(sys.intern(key))  # one string for a row however many pages name it
            if kind in ("p", "r"):
                found.add(key)
    absent = [str(i) for i in (*window.posts, *window.reposts) if str(i) not in found]
    posts, reposts, accounts, parents, cards, topics = ctids
    ids = f"{{{','.join(revisions)}}}", f"{{{','.join(absent)}}}"
    named = Named(posts, reposts, accounts, parents, cards, topics, *ids)
    # A window ID with no row would be announced by no notice when one appeared under it.
    return Versions(fingerprint(text), named, frozenset(notices) if not absent else None)


class Versions(NamedTuple):
    """A page's versions as kept: the digest, and (PostgreSQL) where they found their rows (to check by)."""

    digest: bytes
    named: Named | None = None
    # PostgreSQL: the notices that would announce a change to any of these rows (migration timelines/0005:
    # each row's ID, ``R<account>`` for a relation revision); None when some change would go unannounced.
    notices: frozenset[str] | None = None


class Window:
    """A page's window: its first round's candidate entries, and the IDs the versions are read for."""

    __slots__ = ("_params", "entries", "posts", "reposts")

    def __init__(self, entries: Sequence[Any]) -> None:
        self.entries = tuple(entries)
        self.posts = sorted({e.post_id for e in entries})
        self.reposts = sorted(e.sort_id for e in entries if e.sort_id != e.post_id)
        self._params: tuple[str, tuple[Any, Any]] | None = None

    def params(self, vendor: str) -> tuple[Any, Any]:
        """The window's posts and reposts as parameters (made once per vendor: a page is checked often)."""
        if self._params is None or self._params[0] != vendor:
            self._params = (vendor, (ids_param(self.posts, vendor), ids_param(self.reposts, vendor)))
        return self._params[1]


def read_versions(viewer: int, window: Window) -> Versions:
    """The versions of the facts of a page with this window (one statement)."""
    vendor = connection.vendor
    posts, reposts = window.params(vendor)
    if vendor == "postgresql":
        sql = "SELECT " + postgres_versions_sql("$1::bigint", "$2", "$3")
        with connection.native_cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute(sql, [viewer, posts, reposts])
            return read_value(cursor.fetchone()[0], window)
    key = (vendor, "", "", "")
    found = _SQL.get(key)
    if found is None:
        body = _body(vendor, "%(viewer)s", "%(posts)s", "%(reposts)s")
        found = _SQL[key] = f"SELECT s.v FROM ({body}) s ORDER BY s.v"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(found, {"viewer": viewer, "posts": posts, "reposts": reposts})
        return Versions(fingerprint(",".join(row[0] for row in cursor.fetchall())))
