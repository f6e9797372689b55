"""Hybrid fan-out: writing posts into the Following timelines of the people who will read them.

- A new top-level post (or a repost) goes into the author's (reposter's) own timeline and those of their
  followers whose timeline is held (read within ``timeline_inactive_days``), one store write per chunk of
  ``CHUNK`` followers — one task per post, never one per follower. Replies are not fanned out: home shows
  top-level posts and reposts.
- Authors with more than ``fanout_threshold`` followers are not fanned out at all; their recent posts are
  merged in when a page is read (:func:`spool.timelines.home.celebrity_entries`).
- A follow copies the followee's newest ``timeline_backfill`` posts and reposts into the follower's timeline.
- A timeline that is not held (new person, or dropped while inactive) is rebuilt from the followed
  accounts' recent posts on its first read (:func:`rebuild`).

Nothing here checks visibility: the store holds IDs, and every page is filtered when it is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from spool.identities.models import Account, Follow
from spool.posts.models import Post, Repost
from spool.timelines.models import Timeline
from spool.timelines.stores import Entry, cap, get_store

CHUNK = 1000


def held_since() -> datetime:
    """Timelines read since this moment are held and fanned out to."""
    return timezone.now() - timedelta(days=settings.SPOOL.timeline_inactive_days)


def is_celebrity(followers_count: int) -> bool:
    return followers_count > settings.SPOOL.fanout_threshold


def held_followers(account_id: int, chunk: int = CHUNK) -> Iterator[list[int]]:
    """IDs of the account itself and of its followers whose timeline is held, ``chunk`` at a time (keyset
    pagination over the follow edges, so each chunk is one indexed query)."""
    since = held_since()
    own = Timeline.objects.filter(owner_id=account_id, active_at__gte=since).exists()
    batch: list[int] = [account_id] if own else []
    edges = Follow.objects.filter(followee_id=account_id, follower__timeline__active_at__gte=since)
    last = 0
    while True:
        rows = list(edges.filter(id__gt=last).order_by("id").values_list("id", "follower_id")[:chunk])
        if not rows:
            break
        last = rows[-1][0]
        batch += [follower for _, follower in rows]
        while len(batch) >= chunk:
            yield batch[:chunk]
            batch = batch[chunk:]
    if batch:
        yield batch


def fan_out(account_id: int, entry: Entry, *, chunk: int = CHUNK) -> int:
    """Write ``entry`` (by ``account_id``) into the held timelines of the account and its followers;
    nothing for an account above the threshold. Returns how many timelines were written."""
    followers_count = Account.objects.filter(id=account_id).values_list("followers_count", flat=True).first()
    if followers_count is None or is_celebrity(followers_count):
        return 0
    store = get_store()
    return sum(store.fan_out(owners, entry) for owners in held_followers(account_id, chunk))


def fan_out_post(post_id: int) -> int:
    post = Post.objects.filter(id=post_id, is_reply=False).values_list("author_id", flat=True).first()
    return 0 if post is None else fan_out(post, Entry(post_id, post_id))


def fan_out_repost(repost_id: int) -> int:
    row = Repost.objects.filter(id=repost_id).values_list("account_id", "post_id").first()
    return 0 if row is None else fan_out(row[0], Entry(repost_id, row[1]))


def recent_entries(sources: Q, reposters: Q, limit: int) -> list[Entry]:
    """The newest ``limit`` entries among top-level posts matching ``sources`` and reposts matching
    ``reposters``, each post once (at its newest entry, the one a page would show): two bounded, indexed
    queries."""
    posts = Post.objects.filter(sources, is_reply=False).order_by("-id").values_list("id", flat=True)[:limit]
    reposts = Repost.objects.filter(reposters).order_by("-id").values_list("id", "post_id")[:limit]
    entries = sorted([Entry(p, p) for p in posts] + [Entry(r, p) for r, p in reposts], reverse=True)
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


def rebuild(owner_id: int) -> None:
    """Hold ``owner_id``'s timeline again and fill it from the newest posts and reposts of the accounts
    they follow and their own: a bounded query, run synchronously on the read that needs it. Registered
    first, so fan-out that runs meanwhile writes to it too (the store merges, it never overwrites)."""
    Timeline.objects.bulk_create(
        [Timeline(owner_id=owner_id, active_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["owner"],
        update_fields=["active_at"],
    )
    followed = Follow.objects.filter(follower_id=owner_id).values("followee_id")
    entries = recent_entries(
        Q(author_id=owner_id) | Q(author_id__in=followed),
        Q(account_id=owner_id) | Q(account_id__in=followed),
        cap(),
    )
    get_store().add(owner_id, entries, create=True)


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
