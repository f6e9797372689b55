"""Hybrid fan-out: writing posts into the Following timelines of the people who will read them.

- A new top-level post (or a repost) goes into the author's (reposter's) own timeline and those of their
  followers whose timeline is held (read within ``timeline_inactive_days``), one store write per chunk of
  ``CHUNK`` followers — one task per post, never one per follower. Replies are not fanned out: home shows
  top-level posts and reposts.
- Authors with more than ``fanout_threshold`` followers are not fanned out at all; their recent posts are
  merged in when a page is read (:mod:`spool.timelines.celebrities`).
- A follow copies the followee's newest ``timeline_backfill`` posts and reposts into the follower's timeline.
- A timeline that is not held (new person, or dropped while inactive) is rebuilt from the followed
  accounts' recent posts on its first read (:func:`rebuild`).

Nothing here checks visibility: the store holds IDs, and every page is filtered when it is read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from spool.identities.models import Account, Follow
from spool.posts.models import Post, Repost
from spool.timelines.models import Timeline
from spool.timelines.stores import Entry, cap, get_store

CHUNK = 1000
# A rebuild for someone following at most this many accounts reads each account's newest posts directly.
FEW_FOLLOWED = 50
FOLLOWS = Follow._meta.db_table
POSTS = Post._meta.db_table
REPOSTS = Repost._meta.db_table
TIMELINES = Timeline._meta.db_table


def held_since() -> datetime:
    """Timelines read since this moment are held and fanned out to."""
    return timezone.now() - timedelta(days=settings.SPOOL.timeline_inactive_days)


def is_celebrity(followers_count: int) -> bool:
    return followers_count > settings.SPOOL.fanout_threshold


def held_followers(account_id: int, chunk: int = CHUNK) -> Iterator[list[int]]:
    """IDs of the account itself and of its followers whose timeline is held, at most ``chunk`` at a time
    (the author's own goes with the first chunk). One query per chunk, the next follow edges by ID joined
    to the registry (a primary-key lookup per edge) and resumed after the last edge read, so the cost does
    not grow with the number of people or timelines, and chunks are full whatever share of the followers is
    held."""
    since = held_since()
    # The author's own timeline goes with the first chunk.
    pending = (
        [account_id] if Timeline.objects.filter(owner_id=account_id, active_at__gte=since).exists() else []
    )
    # Table names are ours and every value is a bound parameter.
    sql = (
        f"SELECT f.id, f.follower_id FROM {FOLLOWS} f JOIN {TIMELINES} t ON t.owner_id = f.follower_id"  # noqa: S608
        " WHERE f.followee_id = %s AND f.id > %s AND t.active_at >= %s ORDER BY f.id LIMIT %s"
    )
    held = connection.ops.adapt_datetimefield_value(since)
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [account_id, last, held, chunk])
            rows = cursor.fetchall()
        if rows:
            last = rows[-1][0]
            yield pending + [follower for _, follower in rows]
            pending = []
        if len(rows) < chunk:
            break
    if pending:
        yield pending


def fan_out(account_id: int, entry: Entry, *, chunk: int = CHUNK) -> int:
    """Write ``entry`` (by ``account_id``) into the held timelines of the account and its followers;
    nothing for an account above the threshold. Returns how many timelines were written.

    A store with its own connection (Redis) is written from a second thread, so each chunk's write overlaps
    with reading the next chunk's followers from the database; the SQL store writes in turn, on the
    database connection the reads use."""
    followers_count = Account.objects.filter(id=account_id).values_list("followers_count", flat=True).first()
    if followers_count is None or is_celebrity(followers_count):
        return 0
    store = get_store()
    chunks = held_followers(account_id, chunk)
    if not store.own_connection:
        return sum(store.fan_out(owners, entry) for owners in chunks)
    with ThreadPoolExecutor(1, thread_name_prefix="fan-out") as writer:
        written = [writer.submit(store.fan_out, owners, entry) for owners in chunks]
        return sum(w.result() for w in written)


def fan_out_post(post_id: int) -> int:
    post = Post.objects.filter(id=post_id, is_reply=False).values_list("author_id", flat=True).first()
    return 0 if post is None else fan_out(post, Entry(post_id, post_id))


def fan_out_repost(repost_id: int) -> int:
    row = Repost.objects.filter(id=repost_id).values_list("account_id", "post_id").first()
    return 0 if row is None else fan_out(row[0], Entry(repost_id, row[1]))


def fan_out_posts(post_ids: Iterable[int]) -> int:
    """:func:`fan_out_post` for many posts at once (an inbox batch's new posts), see :func:`fan_out_many`."""
    rows = Post.objects.filter(id__in=set(post_ids), is_reply=False).values_list("id", "author_id")
    return fan_out_many([(author_id, Entry(post_id, post_id)) for post_id, author_id in rows])


def fan_out_reposts(repost_ids: Iterable[int]) -> int:
    """:func:`fan_out_repost` for many reposts at once, see :func:`fan_out_many`."""
    rows = Repost.objects.filter(id__in=set(repost_ids)).values_list("id", "account_id", "post_id")
    return fan_out_many([(account_id, Entry(repost_id, post_id)) for repost_id, account_id, post_id in rows])


def fan_out_many(entries: Sequence[tuple[int, Entry]]) -> int:
    """:func:`fan_out` of each (account ID, entry), the reads done once for all of them: the accounts'
    follower counts, whose own timelines are held, and the held followers of every account with at most
    ``CHUNK`` followers (three queries); an account with more goes through :func:`fan_out` (chunked) as
    before. Then one store write per entry. Returns how many timelines were written."""
    by_account: dict[int, list[Entry]] = defaultdict(list)
    for account_id, entry in entries:
        by_account[account_id].append(entry)
    counts = dict(Account.objects.filter(id__in=by_account).values_list("id", "followers_count"))
    fanned = [account_id for account_id, count in counts.items() if not is_celebrity(count)]
    small = [account_id for account_id in fanned if counts[account_id] <= CHUNK]
    written = sum(
        fan_out(account_id, entry)
        for account_id in fanned
        if counts[account_id] > CHUNK
        for entry in by_account[account_id]
    )
    if not small:
        return written
    since = held_since()
    owners: dict[int, list[int]] = defaultdict(list)
    for owner in Timeline.objects.filter(owner_id__in=small, active_at__gte=since).values_list(
        "owner_id", flat=True
    ):
        owners[owner].append(owner)
    followers = (
        Follow.objects.filter(followee_id__in=small, follower__timeline__active_at__gte=since)
        .order_by("id")
        .values_list("followee_id", "follower_id")
    )
    for followee, follower in followers:
        owners[followee].append(follower)
    store = get_store()
    for account_id in small:
        for entry in by_account[account_id]:
            written += store.fan_out(owners[account_id], entry)
    return written


def newest_of(account_ids: Sequence[int], before: int | None, count: int) -> list[Entry]:
    """The newest ``count`` top-level posts and reposts (below ``before``) of each of ``account_ids``: one
    query, a ``UNION ALL`` of one index range per account and kind, so it reads only the rows it returns
    however many other posts there are. Used for celebrities at read time and for small rebuilds."""
    if not account_ids:
        return []
    # Table names are ours and every value is a bound parameter.
    below = "AND id < %s" if before is not None else ""
    posts = f"SELECT id, id FROM {POSTS} WHERE author_id = %s AND is_reply = %s {below}"  # noqa: S608
    reposts = f"SELECT id, post_id FROM {REPOSTS} WHERE account_id = %s {below}"  # noqa: S608
    newest = "ORDER BY id DESC LIMIT %s"
    parts: list[str] = []
    params: list[Any] = []
    bound = [before] if before is not None else []
    for n, account_id in enumerate(account_ids):
        parts += [f"SELECT * FROM ({posts} {newest}) p{n}", f"SELECT * FROM ({reposts} {newest}) r{n}"]  # noqa: S608
        params += [account_id, False, *bound, count, account_id, *bound, count]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [Entry(int(s), int(p)) for s, p in cursor.fetchall()]


def recent_entries(sources: Q, reposters: Q, limit: int) -> list[Entry]:
    """The newest ``limit`` entries among top-level posts matching ``sources`` and reposts matching
    ``reposters``, each post once (at its newest entry, the one a page would show): two bounded, indexed
    queries."""
    posts = Post.objects.filter(sources, is_reply=False).order_by("-id").values_list("id", flat=True)[:limit]
    reposts = Repost.objects.filter(reposters).order_by("-id").values_list("id", "post_id")[:limit]
    return once_each([Entry(p, p) for p in posts] + [Entry(r, p) for r, p in reposts], limit)


def once_each(entries: list[Entry], limit: int) -> list[Entry]:
    """The newest ``limit`` of ``entries``, each post once (at its newest entry)."""
    entries = sorted(entries, reverse=True)
    seen: set[int] = set()
    newest: list[Entry] = []
    for entry in entries:
        if entry.post_id not in seen:
            seen.add(entry.post_id)
            newest.append(entry)
    return newest[:limit]


def backfill(follower_id: int, followee_id: int) -> int:
    """After a follow: the followee's newest posts and reposts into the follower's timeline, if it is
    held and the followee is fanned out (a celebrity's posts are merged at read time anyway)."""
    if not Timeline.objects.filter(owner_id=follower_id, active_at__gte=held_since()).exists():
        return 0
    followers_count = Account.objects.filter(id=followee_id).values_list("followers_count", flat=True).first()
    if followers_count is None or is_celebrity(followers_count):
        return 0
    entries = recent_entries(
        Q(author_id=followee_id), Q(account_id=followee_id), settings.SPOOL.timeline_backfill
    )
    get_store().add(follower_id, entries)
    return len(entries)


def backfill_all(follows: Iterable[tuple[int, int]]) -> int:
    """:func:`backfill` of many (follower, followee) follows, whose followers' timelines are held asked
    once for all of them: the inbox applies a follow with nearly every tenth activity, each by a remote
    follower, who holds none (a query each to find that out)."""
    follows = list(follows)
    held = set(
        Timeline.objects.filter(
            owner_id__in={follower for follower, _ in follows}, active_at__gte=held_since()
        ).values_list("owner_id", flat=True)
    )
    return sum(backfill(follower, followee) for follower, followee in follows if follower in held)


def rebuild(owner_id: int) -> None:
    """Hold ``owner_id``'s timeline again and fill it from the newest posts and reposts of the accounts
    they follow and their own: one bounded query (:func:`newest_followed`), run synchronously on the read
    that needs it. Registered first, so fan-out that runs meanwhile writes to it too (the store merges, it
    never overwrites)."""
    Timeline.objects.bulk_create(
        [Timeline(owner_id=owner_id, active_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["owner"],
        update_fields=["active_at"],
    )
    get_store().add(owner_id, newest_followed(owner_id, cap()), create=True)


def newest_followed(owner_id: int, count: int) -> list[Entry]:
    """The newest ``count`` entries (each post once) among the top-level posts and reposts of the accounts
    ``owner_id`` follows and their own."""
    if connection.vendor == "postgresql":
        return once_each(_newest_followed_pg(owner_id, count), count)
    following = Follow.objects.filter(follower_id=owner_id).values_list("followee_id", flat=True)
    few = list(following[: FEW_FOLLOWED + 1])
    if len(few) <= FEW_FOLLOWED:
        # Few accounts: one index range each (a scan for them among everyone's posts would read far more).
        return once_each(newest_of([owner_id, *few], None, count), count)
    return recent_entries(
        Q(author_id=owner_id) | Q(author_id__in=following),
        Q(account_id=owner_id) | Q(account_id__in=following),
        count,
    )


def _newest_followed_pg(owner_id: int, count: int) -> list[Entry]:
    """PostgreSQL: one statement, a ``LATERAL`` pair of backward index ranges per source account (posts on
    ``(author, is_reply, id)``, reposts on ``(account, id)``), each stopping after ``count`` rows, and the
    newest ``2 * count`` of them all (a post can come twice: itself and a repost). It reads at most
    ``count`` rows per account however many posts everyone else has written; a filter over the posts table
    in ID order instead walks back through everyone's posts until it has found enough. Its cost is about
    two index descents per followed account and hardly depends on ``count`` (measured on the 100k bench:
    the same for 215 and 800), so a rebuild fills the whole timeline at once."""
    sql = (
        f"SELECT e.sort_id, e.post_id FROM ("  # noqa: S608 (table names are ours, values are parameters)
        f" SELECT followee_id AS account_id FROM {FOLLOWS} WHERE follower_id = %(owner)s"
        " UNION SELECT %(owner)s"
        ") s CROSS JOIN LATERAL ("
        f" (SELECT id AS sort_id, id AS post_id FROM {POSTS}"
        "  WHERE author_id = s.account_id AND is_reply = false ORDER BY id DESC LIMIT %(count)s)"
        " UNION ALL"
        f" (SELECT id, post_id FROM {REPOSTS}"
        "  WHERE account_id = s.account_id ORDER BY id DESC LIMIT %(count)s)"
        ") e ORDER BY e.sort_id DESC LIMIT %(both)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"owner": owner_id, "count": count, "both": 2 * count})
        return [Entry(int(s), int(p)) for s, p in cursor.fetchall()]


def drop_inactive(batch: int = CHUNK) -> int:
    """Stop holding the timelines of people who have not read theirs for ``timeline_inactive_days``;
    returns how many were dropped. They are rebuilt on their next read. Someone who returns while this runs
    keeps their registry row (their read rebuilt it), and their entries are left alone."""
    since = held_since()
    store = get_store()
    dropped = 0
    stale = Timeline.objects.filter(active_at__lt=since)
    while True:
        owners = list(stale.order_by("owner_id").values_list("owner_id", flat=True)[:batch])
        if not owners:
            return dropped
        stale.filter(owner_id__in=owners).delete()
        back = set(Timeline.objects.filter(owner_id__in=owners).values_list("owner_id", flat=True))
        gone = [owner for owner in owners if owner not in back]
        store.drop(gone)
        dropped += len(gone)
