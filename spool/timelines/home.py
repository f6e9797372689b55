"""Reading the Following feed: store IDs (+ celebrities merged in) → posts loaded in one query → the
visibility rules → cards. A page costs a fixed number of queries whatever ``limit`` is.

What a page shows, and in what order (newest first by sort key: the post's ID, or the repost's ID):

- top-level posts by the viewer and by accounts they follow; reposts by those accounts (of any post the
  viewer may see) — everything through ``Post.objects.visible_to(viewer).in_feeds_of(viewer)``, so deleted,
  blocked, private-and-unfollowed and muted authors' posts never show, whatever the store still holds;
- an entry whose author (or reposter) is no longer followed, or whose repost was undone, does not show and
  is removed from the store as it is met (lazy clean-up); entries hidden by a mute stay, for an unmute;
- each post once, at its newest appearance: its newest repost by someone the viewer follows (or the viewer),
  or else the post itself. An entry shows only when it *is* that newest appearance, which is decided from
  the database, not from the page, so a post never shows twice across pages either.

The cursor is the sort key of the last entry on the page (or of the last one examined, when filtering
used up the rounds), and the next page is everything below it: pages are stable whatever arrives meanwhile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Max, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_aware, make_aware

from spool.core.compiled import Compiled, compiled, id_list, ids_param
from spool.core.pagination import MAX_PAGE, Page, parse_cursor
from spool.identities.models import Account, Follow, Mute
from spool.posts.batch import FeedEntry, PostCard, build_cards
from spool.posts.models import ConversationMute, Like, LinkCard, PinnedPost, Post, Repost, Save, Topic
from spool.timelines.celebrities import Celebrities, Registry, read_registry
from spool.timelines.fanout import held_since, rebuild
from spool.timelines.models import Timeline
from spool.timelines.stores import Entry, get_store
from spool.timelines.versions import Versions, Window, postgres_versions_sql, read_value, read_versions

if TYPE_CHECKING:
    from spool.timelines.stores.redis_store import Prefetched

_T = TypeVar("_T")

# Pages fetch at most this many batches of IDs when entries are filtered out; a page after that ends early
# (with a cursor) rather than costing more queries.
MAX_ROUNDS = 3
# ``Timeline.active_at`` is written at most this often per person.
ACTIVE_EVERY = timedelta(hours=1)


def home_page(viewer: Account, cursor: Any = None, limit: int = 20) -> Page[PostCard]:
    shown, next_cursor, _ = select_page(viewer, cursor, limit, resolve)
    return Page(build_cards(viewer, shown), next_cursor)


def select_page(
    viewer: Account | int,
    cursor: Any,
    limit: int,
    resolver: Callable[[Account, Sequence[Entry]], list[_T]],
    prefetched: Prefetched | None = None,
    held: Held | None = None,
) -> tuple[list[_T], int | None, Account]:
    """The entries of one page (as ``resolver`` turns candidates into shown items), the next cursor and the
    viewer's account (given only its ID, read with the page's first statement: :func:`ensure_held`).
    ``prefetched``: the viewer's timeline already read from Redis in another round trip of this request
    (the API's rate-limit counter), used for the first batch of IDs unless the timeline was rebuilt.
    ``held``: :func:`hold`'s answer when the caller already asked (the registry is then not read again);
    it also records whether this page rebuilt the timeline."""
    limit = max(1, min(int(limit), MAX_PAGE))
    before = cursor if isinstance(cursor, int) and cursor > 0 else parse_cursor(cursor)
    store = get_store()
    # A few spare IDs in the first batch absorb entries that do not show (a repost's older original).
    want = first_want(limit)
    if held is None:
        held = hold(viewer, before, want)
    celebrities, viewer = held.registry.celebrities, held.registry.account
    if prefetched is not None and (
        held.rebuilt
        or prefetched.values is None
        or prefetched.owner != viewer.id
        or prefetched.store is not store
    ):
        prefetched = None
    shown: list[_T] = []
    bound = before
    exhausted = False
    for attempt in range(MAX_ROUNDS):
        if attempt:
            want = (limit + 1 - len(shown)) * 2
        candidates = _candidates(viewer.id, celebrities, prefetched if not attempt else None, bound, want)
        if candidates is None:  # the store lost it (Redis flushed or restarted)
            rebuild(viewer.id)
            held.rebuilt = True
            candidates = _candidates(viewer.id, celebrities, None, bound, want) or []
        shown += resolver(viewer, candidates)
        if candidates:
            bound = candidates[-1].sort_id
        exhausted = len(candidates) < want
        if len(shown) > limit or exhausted:
            break
    page = shown[:limit]
    if len(shown) > limit:
        next_cursor: int | None = _sort_id(page[-1])
    elif exhausted:
        next_cursor = None
    else:
        next_cursor = bound
    return page, next_cursor, viewer


def first_want(limit: int) -> int:
    """How many entries a page's first round reads (``limit`` as :func:`select_page` bounds it)."""
    return limit + 1 + limit // 4


def _candidates(
    owner: int, celebrities: Celebrities, prefetched: Prefetched | None, bound: int | None, want: int
) -> list[Entry] | None:
    """One round's candidate entries: the store's (or ``prefetched``'s) and the celebrities' below
    ``bound``, the newest ``want`` of them. None when the store does not hold the timeline."""
    stored = prefetched.read(bound, want) if prefetched else get_store().read(owner, bound, want)
    if stored is None:
        return None
    return _merge(stored, celebrities.entries(bound, want), want)


def _sort_id(item: Any) -> int:
    return int(item.sort_id)


def ensure_held(
    viewer: Account | int, before: int | None = None, count: int = 0
) -> tuple[Celebrities, Account]:
    """Rebuild the viewer's timeline if it is not held (first read, or dropped while inactive); otherwise
    note the read, at most every ``ACTIVE_EVERY``. Returns the celebrities to merge in at read time (those
    the viewer follows that are not fanned out, and the viewer if they are one), with their newest
    ``count`` entries below ``before`` already read on PostgreSQL, and the viewer's account. One query on a
    warm read, the account included when only its ID is given (on SQLite, one more when the viewer follows
    such an account, and one more for the account), and the rebuild's own when it is not held. Raises
    ``Account.DoesNotExist`` for an ID no account has."""
    celebrities, account, _ = _ensure_held(viewer, before, count)
    return celebrities, account


class Held:
    """:func:`hold`'s answer: the registry read, and whether this request rebuilt the timeline."""

    __slots__ = ("rebuilt", "registry")

    def __init__(self, registry: Registry, rebuilt: bool) -> None:
        self.registry = registry
        self.rebuilt = rebuilt


def hold(viewer: Account | int, before: int | None, count: int, known: PageFacts | None = None) -> Held:
    """Read the registry (:func:`read_registry`, ``known``'s versions with it on PostgreSQL), then rebuild
    the viewer's timeline if it is not held, or note the read at most every ``ACTIVE_EVERY``."""
    named = known.versions.named if known is not None else None
    registry = read_registry(viewer, settings.SPOOL.fanout_threshold, before, count, named)
    active_at, account = registry.active_at, registry.account
    now = timezone.now()
    if active_at is None or active_at < held_since():
        rebuild(account.id)
        return Held(registry, True)
    if active_at < now - ACTIVE_EVERY:
        Timeline.objects.filter(owner_id=account.id).update(active_at=now)
    return Held(registry, False)


def _ensure_held(viewer: Account | int, before: int | None, count: int) -> tuple[Celebrities, Account, bool]:
    """:func:`ensure_held`, and whether the timeline was rebuilt."""
    held = hold(viewer, before, count)
    return held.registry.celebrities, held.registry.account, held.rebuilt


def _merge(stored: Sequence[Entry], merged: Sequence[Entry], count: int) -> list[Entry]:
    if not merged:
        return list(stored[:count])
    return sorted({*stored, *merged}, reverse=True)[:count]


def resolve(viewer: Account, candidates: Sequence[Entry]) -> list[FeedEntry]:
    """The candidates that show, in order, as feed entries; entries that can never show again are removed
    from the store. Three queries (posts; reposts, when there are repost entries; the viewer's follows and
    mutes among these authors and reposters, with the newest qualifying repost of each post), plus one more
    only when a post is missing. Each is small to build: the visibility rule is the only large one."""
    if not candidates:
        return []
    posts = (
        Post.objects.visible_to(viewer)
        .in_feeds_of(viewer)
        .filter(id__in={c.post_id for c in candidates})
        .for_cards()
        .in_bulk()
    )
    repost_ids = [c.sort_id for c in candidates if c.sort_id != c.post_id]
    reposts = Repost.objects.select_related("account").in_bulk(repost_ids) if repost_ids else {}
    people = {p.author_id for p in posts.values()} | {r.account_id for r in reposts.values()}
    followed, muted, newest = _relations(viewer, people, list(posts))
    decided = decide(
        viewer.id,
        candidates,
        {p.id: (p.author_id, p.is_reply) for p in posts.values()},
        {r.id: (r.account_id, r.account.is_active) for r in reposts.values()},
        (followed, muted, newest),
    )
    return [
        FeedEntry(posts[e.post_id], reposts[e.sort_id].account, e.sort_id)
        if repost
        else FeedEntry(posts[e.post_id])
        for e, repost in decided
    ]


Relations = tuple[set[int], set[int], dict[int, int]]


def decide(
    viewer_id: int,
    candidates: Sequence[Entry],
    posts: dict[int, tuple[int, bool]],
    reposts: dict[int, tuple[int, bool]],
    relations: Relations,
) -> list[tuple[Entry, bool]]:
    """The rules of what shows, on facts already read: ``posts`` (the visible ones, unmuted authors) as
    post ID → (author, is a reply); ``reposts`` as repost ID → (reposter, reposter active); ``relations``
    from :func:`_relations`. Returns the shown entries with whether each is a repost; entries that can
    never show again are removed from the store (one more query when a post is missing)."""
    followed, muted, newest = relations
    followed = followed | {viewer_id}
    shown: list[tuple[Entry, bool]] = []
    stale: list[int] = []
    missing: list[Entry] = []
    for entry in candidates:
        post = posts.get(entry.post_id)
        direct = post is not None and not post[1] and post[0] in followed
        if entry.sort_id == entry.post_id:
            if post is None:
                missing.append(entry)
            elif not direct:
                stale.append(entry.sort_id)  # unfollowed since
            elif entry.sort_id == max(entry.post_id, newest.get(entry.post_id, 0)):
                shown.append((entry, False))
            continue
        repost = reposts.get(entry.sort_id)
        if repost is None or repost[0] not in followed:
            stale.append(entry.sort_id)  # undone (or its post deleted), or the reposter unfollowed
        elif (
            post is not None
            and repost[1]
            and repost[0] not in muted
            and entry.sort_id == max(entry.post_id if direct else 0, newest.get(entry.post_id, 0))
        ):
            shown.append((entry, True))
    if missing:
        existing = set(Post.objects.filter(id__in=[e.post_id for e in missing]).values_list("id", flat=True))
        stale += [e.sort_id for e in missing if e.post_id not in existing]
    if stale:
        get_store().remove(viewer_id, stale)
    return shown


def _relations(viewer: Account, people: set[int], post_ids: list[int]) -> Relations:
    return _relations_of(viewer.id, people, post_ids)


def _relations_qs(viewer: int, people: Any, posts: Any) -> QuerySet[Any]:
    first, *rest = _relation_parts(viewer, people, posts)
    return first.union(*rest, all=True)


def _relation_parts(viewer: int, people: Any, posts: Any, reposted: Any = None) -> list[QuerySet[Any]]:
    """The parts of :func:`_relations_of`'s query, rows of (key, value, kind). ``reposted``: those of
    ``posts`` that may have a repost, where the newest qualifying one is looked for (default: all)."""
    follows = Follow.objects.filter(follower_id=viewer, followee_id__in=id_list(people)).values_list(
        "followee_id", Value(0), Value("follow", output_field=CharField())
    )
    mutes = Mute.objects.filter(muter_id=viewer, muted_id__in=id_list(people)).values_list(
        "muted_id", Value(0), Value("mute", output_field=CharField())
    )
    following = Follow.objects.filter(follower_id=viewer).values("followee_id")
    muting = Mute.objects.filter(muter_id=viewer).values("muted_id")
    reposts = (
        Repost.objects.filter(
            Q(account_id=viewer) | Q(account_id__in=following),
            post_id__in=id_list(posts if reposted is None else reposted),
        )
        .filter(account__is_active=True)
        .exclude(account_id__in=muting)
        .values("post_id")
        .annotate(newest=Max("id"), kind=Value("repost", output_field=CharField()))
        .values_list("post_id", "newest", "kind")
    )
    return [follows, mutes, reposts]


_RELATIONS = compiled(_relations_qs, ints=("viewer",), lists=("people", "posts"))


def _relations_of(viewer_id: int, people: set[int], post_ids: list[int]) -> Relations:
    """Which of ``people`` the viewer follows and mutes, and the newest repost of each post by someone the
    viewer follows (or the viewer), active and not muted: one query."""
    followed: set[int] = set()
    muted: set[int] = set()
    newest: dict[int, int] = {}
    for key, value, what in _RELATIONS.run(viewer=viewer_id, people=people, posts=post_ids):
        if what == "follow":
            followed.add(key)
        elif what == "mute":
            muted.add(key)
        else:
            newest[key] = value
    return followed, muted, newest


def _with_flags_parts(
    viewer: int, people: Any, posts: Any, roots: Any, reposted: Any = None
) -> list[QuerySet[Any]]:
    """:func:`_relation_parts` and the viewer's own flags on these posts (liked, reposted, saved, pinned)
    and on their conversations (muted), as ``VIEWER_FLAGS`` kinds."""

    def kind(name: str) -> Value:
        return Value(name, output_field=CharField())

    mine = {"account_id": viewer, "post_id__in": id_list(posts)}
    flags = [
        model.objects.filter(**mine).values_list("post_id", Value(0), kind(name))
        for name, model in (("liked", Like), ("reposted", Repost), ("saved", Save), ("pinned", PinnedPost))
    ]
    muted = ConversationMute.objects.filter(account_id=viewer, root_id__in=id_list(roots)).values_list(
        "root_id", Value(0), kind("muted")
    )
    return [*_relation_parts(viewer, people, posts, reposted), *flags, muted]


# More facts about the viewer read in the same statement (the caller's, from a layer above): querysets of
# rows (key, 0, kind) given the viewer's ID, their kinds other than those of this module.
Extra = Callable[[int], list[QuerySet[Any]]]
_STATEMENTS: dict[Extra | None, Compiled] = {}


def _with_flags(extra: Extra | None) -> Compiled:
    """The statement of :func:`_relations_and_flags` (with ``extra``'s rows), compiled once per process."""
    found = _STATEMENTS.get(extra)
    if found is None:

        def build(viewer: int, people: Any, posts: Any, roots: Any) -> QuerySet[Any]:
            first, *rest = _with_flags_parts(viewer, people, posts, roots)
            return first.union(*rest, *(extra(viewer) if extra else ()), all=True)

        ints, lists = ("viewer",), ("people", "posts", "roots")
        found = _STATEMENTS[extra] = compiled(build, ints=ints, lists=lists)
    return found


# The viewer's own flags a row carries: on the post (liked, reposted, saved, pinned), on its conversation
# (muted).
VIEWER_FLAGS = ("liked", "reposted", "saved", "pinned", "muted")
_POST_FLAGS = frozenset(VIEWER_FLAGS[:4])


def _relations_and_flags(
    viewer_id: int, people: set[int], post_ids: list[int], roots: set[int], extra: Extra | None = None
) -> tuple[Relations, dict[int, set[str]], set[int], list[tuple[int, str]]]:
    """:func:`_relations_of`, plus the viewer's flags by post, the muted conversation roots and ``extra``'s
    rows as (key, kind): one query."""
    rows = _with_flags(extra).run(viewer=viewer_id, people=people, posts=post_ids, roots=roots)
    return _read_relations(rows)


def _read_relations(
    rows: Iterable[Sequence[Any]],
) -> tuple[Relations, dict[int, set[str]], set[int], list[tuple[int, str]]]:
    """What :func:`_relations_and_flags` returns, from its statement's rows (key, value, kind)."""
    followed: set[int] = set()
    muted: set[int] = set()
    newest: dict[int, int] = {}
    flags: dict[int, set[str]] = {}
    muted_roots: set[int] = set()
    extras: list[tuple[int, str]] = []
    for key, value, what in rows:
        if what == "follow":
            followed.add(key)
        elif what == "mute":
            muted.add(key)
        elif what == "repost":
            newest[key] = value
        elif what == "muted":
            muted_roots.add(key)
        elif what in _POST_FLAGS:
            flags.setdefault(key, set()).add(what)
        else:
            extras.append((key, what))
    return (followed, muted, newest), flags, muted_roots, extras


# --- The same page as plain rows (the Mastodon API's hot path) ---------------------------------------------

ACCOUNT_FIELDS = (
    "id", "handle", "domain", "display_name", "bio", "links", "avatar", "is_private", "is_verified",
    "is_active", "created_at", "followers_count", "following_count", "posts_count",
)  # fmt: skip
POST_FIELDS = (
    "id", "author_id", "is_reply", "root_id", "reply_to_id", "edited_at", "ghost", "hidden", "quote_of_id",
    "card_id", "card__state", "text", "attachment_text", "topic__display", "likes_count", "replies_count",
    "reposts_count", "quotes_count", "sensitive",
)  # fmt: skip
_POST_COLUMNS = (*POST_FIELDS, *(f"author__{f}" for f in ACCOUNT_FIELDS))
_HEAD = len(POST_FIELDS)  # where an account's columns start in a row of ``_ROWS``
_ACTIVE = _HEAD + ACCOUNT_FIELDS.index("is_active")


def _looked_up(model: type[Model], key: str, column: str) -> Case:
    """The ``column`` of the row ``key`` points to (NULL without one) as a subquery run only for the posts
    that have one: most posts have neither a link card nor a topic, and a join probed for both on every
    post of the page (4% of the page statement's backend CPU on the bench's dataset)."""
    found = Subquery(model._default_manager.filter(id=OuterRef(key)).values(column)[:1])
    return Case(When(**{f"{key}__isnull": False}, then=found), default=None)


# ``_POST_COLUMNS`` read through a subquery rather than a join (same values, same place in the row).
_LOOKED_UP: dict[str, Any] = {
    "card__state": _looked_up(LinkCard, "card_id", "state"),
    "topic__display": _looked_up(Topic, "topic_id", "display"),
}


def _rows_qs(viewer: int, ids: Any, reposts: Any) -> QuerySet[Any]:
    """The visible posts (``_POST_COLUMNS``) and, in the same statement, the reposts among the entries: the
    repost's ID and its post's in the first two columns, NULL for the post's other columns (``is_reply``
    is never NULL in a post's row: that tells them apart), then the reposter's columns where a post's
    author's are."""
    posts = (
        Post.objects.visible_to(Account(id=viewer))
        .in_feeds_of(Account(id=viewer))
        .filter(id__in=id_list(ids))
        .values_list(*(_LOOKED_UP.get(c, c) for c in _POST_COLUMNS))
    )
    blanks = [Value(None, output_field=CharField()) for _ in POST_FIELDS[2:]]
    repost_rows = Repost.objects.filter(id__in=id_list(reposts)).values_list(
        "id", "post_id", *blanks, *(f"account__{f}" for f in ACCOUNT_FIELDS)
    )
    return posts.union(repost_rows, all=True)


_ROWS = compiled(_rows_qs, ints=("viewer",), lists=("ids", "reposts"))

# PostgreSQL reads a page's relations and flags (:func:`_relations_and_flags`) in the statement of its posts
# (:data:`_ROWS`), from the rows that statement selects: its people (the posts' authors and the reposters,
# both in the account columns), its visible posts and their conversations' roots: constant SQL over the
# statement's CTE ``home_page`` (:func:`_page_statement`).
_PAGE_PEOPLE = 'SELECT "author__id" FROM home_page'
_PAGE_POSTS = 'SELECT "id" FROM home_page WHERE "is_reply" IS NOT NULL'
_PAGE_ROOTS = 'SELECT COALESCE("root_id", "id") FROM home_page WHERE "is_reply" IS NOT NULL'
# The page's posts that have a repost at all: the newest qualifying repost is looked for among these only.
# ``reposts_count`` is exact (written in the repost's and the undo's transaction, lowered when an account
# is deleted: spool.posts.services.erasure); most posts of a page have none, and probing the reposts'
# index for each of them was ~6% of the statement's backend CPU.
_PAGE_REPOSTED = f'{_PAGE_POSTS} AND "reposts_count" > 0'
_PAGE_STATEMENTS: dict[tuple[Extra | None, bool], tuple[str, list[tuple[int, str]]]] = {}
_VERSIONS = "versions"  # the kind of the row that carries the page's versions (in the ``text`` column)


def _page_statement(extra: Extra | None, versioned: bool = False) -> tuple[str, list[tuple[int, str]]]:
    """The statement of :func:`_page_rows` and where its placeholders go (as :data:`_ROWS`' own), built
    once per process: ``_ROWS`` as a CTE, its rows with a last column NULL, then the relations' rows
    (key, value, NULLs, kind) read from the CTE. One round trip and one plan instead of two.
    ``versioned``: one more row, of kind ``versions``, with the versions of the page's candidates
    (:mod:`spool.timelines.versions`) in its ``text`` column: read in the page's own snapshot."""
    found = _PAGE_STATEMENTS.get((extra, versioned))
    if found is None:

        def build(viewer: int) -> QuerySet[Any]:
            page = [RawSQL(sql, ()) for sql in (_PAGE_PEOPLE, _PAGE_POSTS, _PAGE_ROOTS, _PAGE_REPOSTED)]  # noqa: S611
            first, *rest = _with_flags_parts(viewer, *page)
            return first.union(*rest, *(extra(viewer) if extra else ()), all=True)

        rows_sql, slots, *_ = _ROWS._compile(connection)
        relations_sql, relation_slots, *_ = compiled(build, ints=("viewer",))._compile(connection)
        assert relation_slots == [(0, "viewer")]
        viewer = 1 + next(at for at, name in slots if name == "viewer")
        relations_sql = re.sub(r"\$1\b", f"${viewer}", relations_sql)
        # The newest repost is looked for by an index condition on an array of the reposted posts (read from
        # the CTE once, an InitPlan), where ``IN (subquery)`` joined the CTE. Only there: the other relations
        # read the viewer's own rows (follows, likes…), and against an array parameter (not hashed) each of
        # them would be compared with every ID of the page, which costs more for viewers who have many.
        probed = f" IN ({_PAGE_REPOSTED})"
        assert relations_sql.count(probed) == 1
        relations_sql = relations_sql.replace(probed, f" = ANY(ARRAY({_PAGE_REPOSTED}))")
        blanks = ", NULL" * (len(_POST_COLUMNS) - 2)
        # Table names are ours, every value a parameter or written in by Django's own quoting.
        sql = (
            f"WITH home_page AS MATERIALIZED ({rows_sql})"  # noqa: S608
            " SELECT home_page.*, NULL AS kind FROM home_page"
            f" UNION ALL SELECT r.key, r.value{blanks}, r.kind FROM ({relations_sql}) r (key, value, kind)"
        )
        if versioned:
            at = {name: f"${1 + at}" for at, name in slots}
            versions = postgres_versions_sql(f"{at['viewer']}::bigint", at["ids"], at["reposts"])
            columns = ["NULL"] * len(_POST_COLUMNS)
            columns[_TEXT] = versions
            sql += f" UNION ALL SELECT {', '.join(columns)}, '{_VERSIONS}'"
        found = _PAGE_STATEMENTS[extra, versioned] = (sql, slots)
    return found


def _page_rows(
    viewer: int, ids: set[int], reposts: list[int], extra: Extra | None, versioned: bool = False
) -> list[tuple[Any, ...]]:
    """PostgreSQL: the rows of :data:`_ROWS` (with a last column NULL) and of :func:`_relations_and_flags`
    for them (key, value, NULLs, kind), in one statement (``versioned``: see :func:`_page_statement`)."""
    sql, slots = _page_statement(extra, versioned)
    values = {
        "viewer": viewer,
        "ids": ids_param(ids, "postgresql"),
        "reposts": ids_param(reposts, "postgresql"),
    }
    params = [None] * len(slots)
    for at, name in slots:
        params[at] = values[name]
    with connection.native_cursor(binary=True) as cursor:  # type: ignore[attr-defined]
        cursor.execute(sql, params)
        return cursor.fetchall()


class HomeRow:
    """One shown entry as plain values: the post's columns (``POST_FIELDS``) with its author's under
    ``author`` (``ACCOUNT_FIELDS``), and for a repost its ID and the reposter's columns. Values are as the
    database driver returns them (on SQLite booleans are 0/1, times and JSON text): read flags by truth,
    and see :func:`account_values` for an account's typed values.

    Made from the statement's rows as read (``row``: the post's, ``repost``: the repost's or None); the
    dicts ``post``, ``author`` and ``reposter`` are built on first use only: a page made of finished
    statuses (:mod:`spool.api.mastodon.entities.cached`) reads the rows themselves (:attr:`values`)."""

    __slots__ = ("_author", "_post", "_reposter", "flags", "repost", "row", "sort_id")

    def __init__(
        self,
        sort_id: int,
        row: Sequence[Any],
        repost: Sequence[Any] | None,
        flags: frozenset[str] = frozenset(),
    ) -> None:
        self.sort_id = sort_id
        self.row = row
        self.repost = repost
        # The viewer's own flags (``VIEWER_FLAGS``) on the post, read in the same query as the page's rules.
        self.flags = flags
        self._post: dict[str, Any] | None = None
        self._author: dict[str, Any] | None = None
        self._reposter: dict[str, Any] | None = None

    @property
    def post(self) -> dict[str, Any]:
        if self._post is None:
            # zip stops at POST_FIELDS' end: no slice (the row's shape is fixed by ``_ROWS``).
            self._post = dict(zip(POST_FIELDS, self.row, strict=False))
        return self._post

    @property
    def author(self) -> dict[str, Any]:
        if self._author is None:
            self._author = dict(zip(ACCOUNT_FIELDS, self.row[_HEAD:], strict=True))
        return self._author

    @property
    def reposter(self) -> dict[str, Any] | None:
        if self._reposter is None and self.repost is not None:
            self._reposter = dict(zip(ACCOUNT_FIELDS, self.repost[_HEAD:], strict=True))
        return self._reposter

    @property
    def repost_id(self) -> int | None:
        return self.sort_id if self.repost is not None else None

    @property
    def post_id(self) -> int:
        return self.row[0]

    @property
    def author_id(self) -> int:
        return self.row[1]

    @property
    def shown_by(self) -> int:
        """Whose entry it is on the timeline: the reposter's ID for a repost, else the author's."""
        return int((self.repost if self.repost is not None else self.row)[_HEAD])

    @property
    def is_ghost_or_hidden(self) -> bool:
        return bool(self.row[_GHOST] or self.row[_HIDDEN])

    @property
    def text_parts(self) -> tuple[str | None, str | None, str | None]:
        """The post's text, attachment text and topic name (what word filters read)."""
        row = self.row
        return row[_TEXT], row[_TEXT + 1], row[_TEXT + 2]

    @property
    def values(self) -> tuple[Any, ...]:
        """Every value the row was made of (the post's and author's columns, the repost's and reposter's,
        the viewer's flags): what nothing in a rendered status can differ by without differing here."""
        return (tuple(self.row), self.flags, tuple(self.repost) if self.repost is not None else None)


_GHOST, _HIDDEN, _TEXT = POST_FIELDS.index("ghost"), POST_FIELDS.index("hidden"), POST_FIELDS.index("text")
assert POST_FIELDS[_TEXT : _TEXT + 3] == ("text", "attachment_text", "topic__display")


_NO_FLAGS: frozenset[str] = frozenset()
_MUTED = frozenset({"muted"})


def resolve_rows(
    viewer: Account,
    candidates: Sequence[Entry],
    extra: Extra | None = None,
    extras: list[Any] | None = None,
    versions: list[Versions] | None = None,
) -> list[HomeRow]:
    """:func:`resolve` without model instances: the same rules (:func:`decide`) in two queries, each
    compiled once per process (:mod:`spool.core.compiled`): the posts with the reposts among the entries,
    then the relations, which also read the viewer's flags on the posts (:data:`HomeRow.flags`), so that
    rendering needs no query of its own; on PostgreSQL both are one statement (:func:`_page_rows`).
    ``extra``'s rows (see :func:`home_rows`) are added to ``extras``. ``versions``: the candidates' versions
    (:func:`spool.timelines.versions.read_versions`) are appended to it, read in the page's statement on
    PostgreSQL, just before it on SQLite."""
    if versions is not None and (not candidates or connection.vendor != "postgresql"):
        versions.append(read_versions(viewer.id, Window(candidates)))
        versions = None
    if not candidates:
        return []
    posts: dict[int, tuple[Any, ...]] = {}
    reposts: dict[int, tuple[Any, ...]] = {}
    repost_ids = [c.sort_id for c in candidates if c.sort_id != c.post_id]
    ids = {c.post_id for c in candidates}
    if connection.vendor == "postgresql":
        relation_rows: list[Sequence[Any]] = []
        for r in _page_rows(viewer.id, ids, repost_ids, extra, versions is not None):
            if r[-1] == _VERSIONS:
                assert versions is not None
                versions.append(read_value(r[_TEXT], Window(candidates)))
            elif r[-1] is not None:
                relation_rows.append((r[0], r[1], r[-1]))
            else:
                (reposts if r[2] is None else posts)[r[0]] = r[:-1]
        relations, flags, muted_roots, more = _read_relations(relation_rows)
    else:
        for r in _ROWS.run(raw=True, viewer=viewer.id, ids=ids, reposts=repost_ids):
            (reposts if r[2] is None else posts)[r[0]] = r
        people = {p[1] for p in posts.values()} | {r[_HEAD] for r in reposts.values()}
        roots = {p[3] or p[0] for p in posts.values()}  # POST_FIELDS: id, author_id, is_reply, root_id
        relations, flags, muted_roots, more = _relations_and_flags(
            viewer.id, people, list(posts), roots, extra
        )
    if extras is not None:
        extras += more
    decided = decide(
        viewer.id,
        candidates,
        {p[0]: (p[1], bool(p[2])) for p in posts.values()},
        {r[0]: (r[_HEAD], bool(r[_ACTIVE])) for r in reposts.values()},
        relations,
    )
    shown = []
    for entry, repost in decided:
        post = posts[entry.post_id]
        mine = frozenset(flags[post[0]]) if post[0] in flags else _NO_FLAGS
        if (post[3] or post[0]) in muted_roots:
            mine = mine | _MUTED
        shown.append(HomeRow(entry.sort_id, post, reposts[entry.sort_id] if repost else None, mine))
    return shown


def account_values(fields: dict[str, Any]) -> dict[str, Any]:
    """An account's columns from a :class:`HomeRow` (driver values) as the model's field types."""
    typed = dict(fields)
    for name in ("is_private", "is_verified", "is_active"):
        typed[name] = bool(typed[name])
    created = typed["created_at"]
    if isinstance(created, str):
        moment = parse_datetime(created)
        assert moment is not None
        typed["created_at"] = moment if is_aware(moment) else make_aware(moment, UTC)
    if isinstance(typed["links"], str | bytes):
        typed["links"] = json.loads(typed["links"])
    return typed


class Heard(NamedTuple):
    """What serving a page again on this process's notices alone takes (PostgreSQL,
    :mod:`spool.timelines.notices`): the viewer's account and the merged celebrities' entries as the page
    read them, and the notices that would announce a change to anything it was made from (its rows'
    versions, and a new entry by a merged account)."""

    viewer: Account
    celebrities: Celebrities
    notices: frozenset[str]


class PageFacts(NamedTuple):
    """What a home page was decided from, to tell later whether it would be the same
    (:mod:`spool.timelines.versions`): its first round's candidates and their versions, read before the
    page; on PostgreSQL, what serving it on notices takes (None when some change would go unannounced)."""

    window: Window
    versions: Versions
    heard: Heard | None = None


class HomeRows(NamedTuple):
    """A page of :func:`home_rows`."""

    rows: list[HomeRow]
    next_cursor: int | None
    # The rows (key, kind) of ``extra``, or None when no statement read them (an empty timeline).
    extras: list[tuple[int, str]] | None
    viewer: Account
    # The page's facts when it was decided in one round, from a timeline held before this request (asked
    # with ``versioned``): what a cache may remember it by.
    facts: PageFacts | None = None
    # True when ``known`` still holds: the page is the one remembered with it, and was not read (no rows).
    unchanged: bool = False
    # True when that was told from this process's notices alone (``heard``), with no statement.
    heard: bool = False


def home_rows(
    viewer: Account | int,
    cursor: Any = None,
    limit: int = 20,
    extra: Extra | None = None,
    prefetched: Prefetched | None = None,
    known: PageFacts | None = None,
    versioned: bool = False,
    heard: bool = False,
) -> HomeRows:
    """The page :func:`home_page` shows, as :class:`HomeRow` values, and the next cursor; the rows
    (key, kind) of ``extra`` (querysets of (key, 0, kind) rows about the viewer, from the caller's layer),
    read in the same statement as the page's relations; and the viewer's account. Given the viewer's ID
    alone, the account is read with the page's first statement (:func:`ensure_held`; raises
    ``Account.DoesNotExist`` when there is none). ``prefetched``: see :func:`select_page`.

    ``known``: the facts of a page remembered for the same request. When the window is the same and so are
    its versions (read with the registry on PostgreSQL, one statement; one more on SQLite), the answer is
    ``unchanged`` and the page is not read. ``versioned``: read the new page's facts (before its rows, so
    that a write committed meanwhile makes them older than the page, never newer) and return them when the
    page is one a cache may keep. ``heard``: nothing ``known`` was made from was announced changed since
    it was read (:mod:`spool.timelines.notices`): it is ``unchanged`` when the timeline store's window
    (``prefetched``) and the remembered celebrities' entries still make the same window, and no statement
    runs."""
    bounded = max(1, min(int(limit), MAX_PAGE))
    before = cursor if isinstance(cursor, int) and cursor > 0 else parse_cursor(cursor)
    if heard and known is not None and _heard_unchanged(known, prefetched, before, bounded):
        assert known.heard is not None
        # The remembered account itself, shared by the requests the page serves: read, never changed.
        return HomeRows([], None, None, known.heard.viewer, known, unchanged=True, heard=True)
    postgres = connection.vendor == "postgresql"
    held = hold(viewer, before, first_want(bounded), known if postgres else None)
    if known is not None and not held.rebuilt:
        account = held.registry.account
        if (
            _window_of(account.id, held.registry.celebrities, prefetched, before, bounded)
            == known.window.entries
        ):
            versions = held.registry.versions if postgres else read_versions(account.id, known.window).digest
            if versions == known.versions.digest:
                return HomeRows([], None, None, account, known, unchanged=True)
    extras: list[tuple[int, str]] = []
    read = False
    rounds = 0
    facts: PageFacts | None = None

    def resolver(viewer: Account, candidates: Sequence[Entry]) -> list[HomeRow]:
        nonlocal read, rounds, facts
        rounds += 1
        versions: list[Versions] | None = [] if rounds == 1 and versioned else None
        if candidates and not read:
            read = True
            shown = resolve_rows(viewer, candidates, extra, extras, versions)
        else:
            shown = resolve_rows(viewer, candidates, versions=versions)
        if versions:
            facts = PageFacts(Window(candidates), versions[0])
        return shown

    shown, next_cursor, account = select_page(viewer, cursor, limit, resolver, prefetched, held)
    if rounds != 1 or held.rebuilt:
        facts = None
    elif facts is not None and held.registry.merged is not None and facts.versions.notices is not None:
        merged = {f"n{a}" for a in held.registry.merged}
        facts = facts._replace(
            heard=Heard(account, held.registry.celebrities, facts.versions.notices | merged)
        )
    return HomeRows(shown, next_cursor, extras if read else None, account, facts)


def _heard_unchanged(known: PageFacts, prefetched: Prefetched | None, before: int | None, limit: int) -> bool:
    """Whether a page trusted on notices is still the one remembered: the same window from the timeline
    store (read with the request) and the celebrities' entries it merged, for the same threshold (one made
    for another merged other accounts)."""
    remembered = known.heard
    if remembered is None or remembered.celebrities.threshold != settings.SPOOL.fanout_threshold:
        return False
    owner = remembered.viewer.id
    window = _window_of(owner, remembered.celebrities, prefetched, before, limit, stored_only=True)
    return window == known.window.entries


def _window_of(
    owner: int,
    celebrities: Celebrities,
    prefetched: Prefetched | None,
    before: int | None,
    limit: int,
    stored_only: bool = False,
) -> tuple[Entry, ...] | None:
    """The first round's candidates :func:`select_page` would read now (None: the store lost the
    timeline, or, ``stored_only``, the store's window was not read with the request)."""
    if prefetched is not None and (
        prefetched.values is None or prefetched.owner != owner or prefetched.store is not get_store()
    ):
        prefetched = None
    if prefetched is None and stored_only:
        return None
    found = _candidates(owner, celebrities, prefetched, before, first_want(limit))
    return tuple(found) if found is not None else None
