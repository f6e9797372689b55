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
- ``n`` every repost of a candidate post (one with ``reposts_count`` above zero, as the page statement
  looks) by the viewer or someone they follow, and its reposter: a superset of the newest qualifying
  reposts the page's relations find, so a reposter who is deactivated or comes back changes the value.
- ``v`` the viewer's account, the viewer's relation revision and the site's (revision of account 0).

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
from collections.abc import Sequence
from typing import Any

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
        "topic_id", "reposts_count",
    )
)  # fmt: skip


def _body(vendor: str, viewer: str, posts: str, reposts: str) -> str:
    """The statement's rows (one text column ``v``: kind, ID, version), given its three placeholders. The
    candidate posts are read once (``vp``); the accounts, parents, roots, cards and topics they name are each
    read once however many posts name them. Each row's own version covers the IDs it names, so the set of
    (kind, ID, version) is the whole fingerprint."""
    if vendor == "postgresql":
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
        return f"({' || '.join(parts)})" if vendor != "postgresql" else f"concat({', '.join(parts)})"

    newest = row("n", "r", "'|'", v("a"))
    reposters = f"SELECT account_id FROM posts_repost WHERE id {reposts_in}"  # noqa: S608
    people = (
        "SELECT author_id FROM vp UNION SELECT reply_to_author_id FROM vp"  # noqa: S608
        f" UNION SELECT root_author_id FROM vp UNION SELECT {viewer} UNION {reposters}"
    )
    # Table names are ours, every value a placeholder.
    return (
        f"WITH vp AS {materialized}(SELECT {_NAMED}, {v('p')} AS version"  # noqa: S608
        f" FROM posts_post p WHERE p.id {posts_in})"
        " SELECT 'p|' || vp.id || '|' || vp.version AS v FROM vp"
        f" UNION ALL SELECT {row('a', 'a')} FROM identities_account a WHERE a.id IN ({people})"
        f" UNION ALL SELECT {row('q', 'q')} FROM posts_post q"
        " WHERE q.id IN (SELECT reply_to_id FROM vp UNION SELECT root_id FROM vp)"
        f" UNION ALL SELECT {row('c', 'c')} FROM posts_linkcard c WHERE c.id IN (SELECT card_id FROM vp)"
        f" UNION ALL SELECT {row('t', 't')} FROM posts_topic t WHERE t.id IN (SELECT topic_id FROM vp)"
        f" UNION ALL SELECT 'R|' || account_id || '|' || revision FROM {REVISIONS} WHERE account_id IN"
        f" (SELECT reply_to_author_id FROM vp UNION SELECT root_author_id FROM vp UNION SELECT {viewer}"
        " UNION SELECT 0)"
        f" UNION ALL SELECT {row('r', 'r')} FROM posts_repost r WHERE r.id {reposts_in}"
        f" UNION ALL SELECT {newest} FROM posts_repost r"
        " JOIN identities_account a ON a.id = r.account_id"
        " WHERE r.post_id IN (SELECT id FROM vp WHERE reposts_count > 0)"
        f" AND (r.account_id = {viewer}"
        f" OR r.account_id IN (SELECT followee_id FROM identities_follow WHERE follower_id = {viewer}))"
    )


_SQL: dict[tuple[str, str, str, str], str] = {}


def postgres_versions_sql(viewer: str, posts: str, reposts: str) -> str:
    """PostgreSQL: a scalar subquery's SQL (one text value) for the placeholders given (``$1``…), to read
    in another statement (the registry's: :mod:`spool.timelines.celebrities`)."""
    key = ("postgresql", viewer, posts, reposts)
    found = _SQL.get(key)
    if found is None:
        body = _body("postgresql", viewer, posts, reposts)
        found = _SQL[key] = f"(SELECT string_agg(s.v, ',' ORDER BY s.v) FROM ({body}) s)"  # noqa: S608
    return found


def fingerprint(text: str | None) -> bytes:
    """What a page keeps of the versions' value: a 128-bit digest (the text runs to kilobytes)."""
    return hashlib.blake2b((text or "").encode(), digest_size=16).digest()


class Window:
    """A page's window: its first round's candidate entries, and the IDs the versions are read for."""

    __slots__ = ("entries", "posts", "reposts")

    def __init__(self, entries: Sequence[Any]) -> None:
        self.entries = tuple(entries)
        self.posts = sorted({e.post_id for e in entries})
        self.reposts = sorted(e.sort_id for e in entries if e.sort_id != e.post_id)

    def params(self, vendor: str) -> tuple[Any, Any]:
        return ids_param(self.posts, vendor), ids_param(self.reposts, vendor)


def read_versions(viewer: int, window: Window) -> bytes:
    """The fingerprint of the facts of a page with this window (one statement)."""
    vendor = connection.vendor
    posts, reposts = window.params(vendor)
    if vendor == "postgresql":
        sql = "SELECT " + postgres_versions_sql("$1::bigint", "$2", "$3")
        with connection.native_cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute(sql, [viewer, posts, reposts])
            return fingerprint(cursor.fetchone()[0])
    key = (vendor, "", "", "")
    found = _SQL.get(key)
    if found is None:
        body = _body(vendor, "%(viewer)s", "%(posts)s", "%(reposts)s")
        found = _SQL[key] = f"SELECT s.v FROM ({body}) s ORDER BY s.v"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(found, {"viewer": viewer, "posts": posts, "reposts": reposts})
        return fingerprint(",".join(row[0] for row in cursor.fetchall()))
