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

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import CharField, Exists, Max, Q, Value
from django.utils import timezone

from spool.core.pagination import MAX_PAGE, Page, parse_cursor
from spool.identities.models import Account, Follow, Mute
from spool.posts.batch import FeedEntry, PostCard, build_cards
from spool.posts.models import Post, Repost
from spool.timelines.fanout import held_since, is_celebrity, newest_of, rebuild
from spool.timelines.models import Timeline
from spool.timelines.stores import Entry, get_store

# Pages fetch at most this many batches of IDs when entries are filtered out; a page after that ends early
# (with a cursor) rather than costing more queries.
MAX_ROUNDS = 3
# ``Timeline.active_at`` is written at most this often per person.
ACTIVE_EVERY = timedelta(hours=1)


def home_page(viewer: Account, cursor: Any = None, limit: int = 20) -> Page[PostCard]:
    limit = max(1, min(int(limit), MAX_PAGE))
    before = cursor if isinstance(cursor, int) and cursor > 0 else parse_cursor(cursor)
    store = get_store()
    celebrities = ensure_held(viewer)
    shown: list[FeedEntry] = []
    bound = before
    exhausted = False
    for attempt in range(MAX_ROUNDS):
        # A few spare IDs in the first batch absorb entries that do not show (a repost's older original).
        want = limit + 1 + limit // 4 if attempt == 0 else (limit + 1 - len(shown)) * 2
        stored = store.read(viewer.id, bound, want)
        if stored is None:  # the store lost it (Redis flushed or restarted)
            rebuild(viewer.id)
            stored = store.read(viewer.id, bound, want) or []
        merged = newest_of(celebrities, bound, want)
        candidates = _merge(stored, merged, want)
        shown += resolve(viewer, candidates)
        if candidates:
            bound = candidates[-1].sort_id
        exhausted = len(candidates) < want
        if len(shown) > limit or exhausted:
            break
    page = shown[:limit]
    if len(shown) > limit:
        next_cursor: int | None = page[-1].sort_id
    elif exhausted:
        next_cursor = None
    else:
        next_cursor = bound
    return Page(build_cards(viewer, page), next_cursor)


def ensure_held(viewer: Account) -> list[int]:
    """Rebuild the viewer's timeline if it is not held (first read, or dropped while inactive); otherwise
    note the read, at most every ``ACTIVE_EVERY``. Returns the accounts to merge in at read time: those the
    viewer follows that are not fanned out, and the viewer if they are one. One query on a warm read (two
    when the viewer follows such an account)."""
    big = Follow.objects.filter(
        follower_id=viewer.id, followee__followers_count__gt=settings.SPOOL.fanout_threshold
    ).values_list("followee_id", flat=True)
    row = Timeline.objects.filter(owner_id=viewer.id).values_list("active_at", Exists(big)).first()
    now = timezone.now()
    if row is None or row[0] < held_since():
        rebuild(viewer.id)
        celebrities = list(big)
    else:
        celebrities = list(big) if row[1] else []
        if row[0] < now - ACTIVE_EVERY:
            Timeline.objects.filter(owner_id=viewer.id).update(active_at=now)
    if is_celebrity(viewer.followers_count):
        celebrities.append(viewer.id)
    return celebrities


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
    followed.add(viewer.id)

    shown: list[FeedEntry] = []
    stale: list[int] = []
    missing: list[Entry] = []
    for entry in candidates:
        post = posts.get(entry.post_id)
        direct = post is not None and not post.is_reply and post.author_id in followed
        if entry.sort_id == entry.post_id:
            if post is None:
                missing.append(entry)
            elif not direct:
                stale.append(entry.sort_id)  # unfollowed since
            elif entry.sort_id == max(post.id, newest.get(post.id, 0)):
                shown.append(FeedEntry(post))
            continue
        repost = reposts.get(entry.sort_id)
        if repost is None or repost.account_id not in followed:
            stale.append(entry.sort_id)  # undone (or its post deleted), or the reposter unfollowed
        elif (
            post is not None
            and repost.account.is_active
            and repost.account_id not in muted
            and entry.sort_id == max(post.id if direct else 0, newest.get(post.id, 0))
        ):
            shown.append(FeedEntry(post, repost.account, repost.id))
    if missing:
        existing = set(Post.objects.filter(id__in=[e.post_id for e in missing]).values_list("id", flat=True))
        stale += [e.sort_id for e in missing if e.post_id not in existing]
    if stale:
        get_store().remove(viewer.id, stale)
    return shown


def _relations(
    viewer: Account, people: set[int], post_ids: list[int]
) -> tuple[set[int], set[int], dict[int, int]]:
    """Which of ``people`` the viewer follows and mutes, and the newest repost of each post by someone the
    viewer follows (or the viewer), active and not muted: one query."""
    follows = Follow.objects.filter(follower_id=viewer.id, followee_id__in=people).values_list(
        "followee_id", Value(0), Value("follow", output_field=CharField())
    )
    mutes = Mute.objects.filter(muter_id=viewer.id, muted_id__in=people).values_list(
        "muted_id", Value(0), Value("mute", output_field=CharField())
    )
    following = Follow.objects.filter(follower_id=viewer.id).values("followee_id")
    muting = Mute.objects.filter(muter_id=viewer.id).values("muted_id")
    reposts = (
        Repost.objects.filter(Q(account_id=viewer.id) | Q(account_id__in=following), post_id__in=post_ids)
        .filter(account__is_active=True)
        .exclude(account_id__in=muting)
        .values("post_id")
        .annotate(newest=Max("id"), kind=Value("repost", output_field=CharField()))
        .values_list("post_id", "newest", "kind")
    )
    followed: set[int] = set()
    muted: set[int] = set()
    newest: dict[int, int] = {}
    for key, value, what in follows.union(mutes, reposts, all=True):
        if what == "follow":
            followed.add(key)
        elif what == "mute":
            muted.add(key)
        else:
            newest[key] = value
    return followed, muted, newest
