"""Hybrid fan-out: who gets a post written into their timeline, in how many writes, and what the first
read of a timeline that was not maintained shows."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from spool.identities import services as identities
from spool.posts.models import Repost
from spool.posts.timelines import home_posts
from spool.timelines import fanout
from spool.timelines.models import Timeline
from spool.timelines.stores import Entry, TimelineStore
from spool.timelines.tasks import upkeep
from tests.timelines.conftest import People, committed

pytestmark = pytest.mark.django_db


def stored(store: TimelineStore, account: Any) -> list[int]:
    return [e.post_id for e in store.read(account.id, None, 1000) or []]


def home_ids(viewer: Any, **kwargs: Any) -> list[int]:
    return [card.id for card in home_posts(viewer, **kwargs).items]


def test_a_post_is_written_to_held_followers_and_the_author(store: TimelineStore, people: People) -> None:
    ana, bob, cy = people("ana"), people("bob"), people("cy")
    people.follow(ana, bob)
    home_posts(ana)
    home_posts(bob)
    home_posts(cy)  # held, but does not follow bob
    post = people.post(bob)
    assert stored(store, ana) == [post.id]
    assert stored(store, bob) == [post.id]
    assert stored(store, cy) == []
    assert home_ids(ana) == [post.id]


def test_replies_are_not_fanned_out(store: TimelineStore, people: People) -> None:
    ana, bob = people("ana"), people("bob")
    people.follow(ana, bob)
    home_posts(ana)
    post = people.post(bob)
    people.post(bob, "a reply", reply_to_id=post.id)
    assert stored(store, ana) == [post.id]
    assert home_ids(ana) == [post.id]


def test_followers_are_written_in_chunks_one_write_per_chunk(store: TimelineStore, people: People) -> None:
    bob = people("bob")
    followers = [people(f"f{i}") for i in range(25)]
    for follower in followers:
        people.follow(follower, bob)
        home_posts(follower)
    chunks = list(fanout.held_followers(bob.id, chunk=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert sorted(itertools.chain(*chunks)) == sorted(f.id for f in followers)
    with CaptureQueriesContext(connection) as captured:
        written = fanout.fan_out(bob.id, Entry(77, 77), chunk=10)
    assert written == 25
    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    # One INSERT per chunk on SQL; Redis writes one script call per chunk and no SQL at all.
    assert len(inserts) == (3 if store.name == "sql" else 0)
    assert all(stored(store, f) == [77] for f in followers)


# On SQLite a rebuild reads each followed account's newest posts when they are few, or scans for them when
# many; on PostgreSQL it is one query either way.
@pytest.mark.parametrize("few_followed", [fanout.FEW_FOLLOWED, 0])
def test_inactive_followers_are_skipped_and_rebuilt_on_return(
    store: TimelineStore, people: People, monkeypatch: Any, few_followed: int
) -> None:
    monkeypatch.setattr(fanout, "FEW_FOLLOWED", few_followed)
    ana, bob, cy = people("ana"), people("bob"), people("cy")
    people.follow(ana, bob)
    people.follow(cy, bob)
    home_posts(ana)
    home_posts(cy)
    Timeline.objects.filter(owner_id=cy.id).update(active_at=timezone.now() - timedelta(days=31))
    written = [people.post(bob, f"post {i}") for i in range(30)]
    people.post(bob, "a reply", reply_to_id=written[0].id)
    mine = people.post(cy, "cy's own, before going away")
    assert len(stored(store, ana)) == 30
    assert stored(store, cy) == []
    # cy comes back: the first page is rebuilt synchronously and is full.
    page = home_posts(cy, limit=20)
    assert [c.id for c in page.items] == [mine.id, *(p.id for p in reversed(written))][:20]
    assert page.next_cursor is not None
    assert Timeline.objects.get(owner_id=cy.id).active_at > timezone.now() - timedelta(minutes=1)
    assert sorted(stored(store, cy)) == sorted([mine.id, *(p.id for p in written)])


def test_a_rebuild_holds_the_newest_entries_of_the_followed_accounts(
    store: TimelineStore, people: People
) -> None:
    # One query on PostgreSQL, index ranges per account on SQLite: the same entries, newest first, each post
    # once (at its newest repost), without replies, unfollowed accounts or the cut-off older ones.
    ana, bob, cy, dee = people("ana"), people("bob"), people("cy"), people("dee")
    people.follow(ana, bob, cy)
    old = people.post(bob, "old")
    written = [people.post(author, "post") for author in (bob, cy, dee, ana, cy)]
    people.post(bob, "a reply", reply_to_id=written[1].id)
    people.repost(cy, old)
    people.repost(bob, written[2])  # dee's, reposted by someone ana follows
    reposts = {r.post_id: r.id for r in Repost.objects.filter(account_id__in=[bob.id, cy.id])}
    expected = sorted(
        [Entry(reposts[old.id], old.id), Entry(reposts[written[2].id], written[2].id)]
        + [Entry(p.id, p.id) for p in written if p.author_id != dee.id],
        reverse=True,
    )
    assert fanout.newest_followed(ana.id, 10) == expected
    assert fanout.newest_followed(ana.id, 3) == expected[:3]
    assert fanout.newest_followed(dee.id, 10) == [Entry(written[2].id, written[2].id)]


def test_someone_who_never_read_gets_a_full_first_page(store: TimelineStore, people: People) -> None:
    ana, bob = people("ana"), people("bob")
    people.follow(ana, bob)
    written = [people.post(bob, f"post {i}") for i in range(5)]
    assert not Timeline.objects.filter(owner_id=ana.id).exists()
    assert home_ids(ana) == [p.id for p in reversed(written)]


def test_upkeep_drops_inactive_timelines_and_they_come_back(store: TimelineStore, people: People) -> None:
    ana, bob = people("ana"), people("bob")
    people.follow(ana, bob)
    home_posts(ana)
    post = people.post(bob)
    home_posts(bob)
    Timeline.objects.filter(owner_id=ana.id).update(active_at=timezone.now() - timedelta(days=40))
    assert upkeep() >= 1
    assert not Timeline.objects.filter(owner_id=ana.id).exists()
    assert Timeline.objects.filter(owner_id=bob.id).exists()
    assert not store.read(ana.id, None, 10)
    assert home_ids(ana) == [post.id]


def test_celebrities_are_merged_at_read_time(store: TimelineStore, people: People, monkeypatch: Any) -> None:
    monkeypatch.setattr(settings.SPOOL, "fanout_threshold", 2)
    ana, star, bob, dee = people("ana"), people("star"), people("bob"), people("dee")
    people.follow(ana, star, bob)
    people.follow(bob, star)
    people.follow(dee, star)  # star: 3 followers, above the threshold
    home_posts(ana)
    mixed = []
    for i in range(6):
        mixed.append(people.post(star if i % 2 else bob, f"post {i}"))
    starred = people.post(dee, "dee's post")
    repost = people.repost(star, starred)
    assert all(p.author_id == bob.id for p in mixed if p.id in stored(store, ana))
    assert starred.id not in stored(store, ana)
    assert stored(store, star) == []  # not even the celebrity's own timeline is written
    # Newest first, star's posts and repost interleaved with bob's.
    assert home_ids(ana) == [starred.id, *[p.id for p in reversed(mixed)]]
    assert (
        home_posts(ana).items[0].reposted_by.id == star.id and home_posts(ana).items[0].repost_id == repost.id
    )
    # Across pages too.
    first = home_posts(ana, limit=3)
    second = home_posts(ana, cursor=first.next_cursor, limit=3)
    third = home_posts(ana, cursor=second.next_cursor, limit=3)
    assert [c.id for c in first.items + second.items + third.items] == home_ids(ana)
    assert third.next_cursor is None
    # The celebrity sees their own posts too.
    assert home_ids(star)[:1] == [starred.id]


def test_celebrities_merge_into_every_round_of_a_page(
    store: TimelineStore, people: People, monkeypatch: Any
) -> None:
    """Entries that do not show (a muted account's posts, and a celebrity's reposts of them) make a page
    read more rounds. A later round takes the celebrity's entries below its own bound: from the first
    round's when that one held all of them (a page of 5), read again when it was full (a page of 2)."""
    monkeypatch.setattr(settings.SPOOL, "fanout_threshold", 2)
    ana, star, cy = people("ana"), people("star"), people("cy")
    people.follow(ana, star, cy)
    people.follow(people("bob"), star)
    people.follow(people("dee"), star)
    home_posts(ana)
    older = [people.post(star, f"star {i}") for i in range(3)]
    cys = [people.post(cy, f"cy {i}") for i in range(2)]
    for post in cys:
        people.repost(star, post)
    latest = people.post(star, "latest")
    assert stored(store, ana) == [p.id for p in reversed(cys)]
    committed(identities.mute_account, ana, cy)
    expected = [latest.id, *[p.id for p in reversed(older)]]
    assert home_ids(ana, limit=5) == expected
    assert home_ids(ana, limit=2) == expected[:2]
    for limit in (2, 5):
        seen: list[int] = []
        cursor = None
        for _ in range(20):
            page = home_posts(ana, cursor=cursor, limit=limit)
            seen += [c.id for c in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == expected


def test_a_follow_backfills_the_followees_recent_posts(
    store: TimelineStore, people: People, monkeypatch: Any
) -> None:
    monkeypatch.setattr(settings.SPOOL, "timeline_backfill", 3)
    ana, bob, cy = people("ana"), people("bob"), people("cy")
    home_posts(ana)
    old = [people.post(bob, f"post {i}") for i in range(5)]
    shared = people.post(cy)
    repost = people.repost(bob, shared)
    people.follow(ana, bob)
    # The three newest entries: the repost and bob's two newest posts.
    assert sorted(store.read(ana.id, None, 10) or []) == sorted(
        [Entry(repost.id, shared.id), Entry(old[4].id, old[4].id), Entry(old[3].id, old[3].id)]
    )
    assert home_ids(ana) == [shared.id, old[4].id, old[3].id]


def test_a_follow_does_not_backfill_a_timeline_that_is_not_held(store: TimelineStore, people: People) -> None:
    ana, bob = people("ana"), people("bob")
    post = people.post(bob)
    people.follow(ana, bob)
    assert not store.read(ana.id, None, 10)
    assert home_ids(ana) == [post.id]  # built on the first read instead


def test_a_batch_of_follows_backfills_only_the_held_timelines_asked_once(
    store: TimelineStore, people: People
) -> None:
    """The task's batch runner (the inbox sends a batch's follows in one message) asks once whose
    timelines are held, then backfills those (idempotent: run again here); the others cost nothing
    more."""
    from spool.core.batching import run_all
    from spool.timelines.tasks import backfill

    ana, bob, cy, dee = people("ana"), people("bob"), people("cy"), people("dee")
    home_posts(ana)  # held; cy's and dee's are not
    post = people.post(bob)
    for follower in (cy, dee, ana):
        people.follow(follower, bob)
    with CaptureQueriesContext(connection) as captured:
        run_all(backfill.name, [[cy.id, bob.id], [dee.id, bob.id], [ana.id, bob.id]])
    held = [q for q in captured.captured_queries if 'FROM "timelines_timeline"' in q["sql"]]
    assert len(held) == 2, held  # the batch's look, then ana's own backfill looks again
    assert stored(store, ana) == [post.id]  # backfilled on her follow, not twice by the batch
    assert stored(store, cy) == [] and stored(store, dee) == []


def test_reposts_are_fanned_out_to_the_reposters_followers(store: TimelineStore, people: People) -> None:
    ana, bob, cy = people("ana"), people("bob"), people("cy")
    people.follow(ana, bob)
    home_posts(ana)
    post = people.post(cy)
    repost = people.repost(bob, post)
    assert store.read(ana.id, None, 10) == [Entry(repost.id, post.id)]
    card = home_posts(ana).items[0]
    assert (card.id, card.reposted_by.id, card.repost_id) == (post.id, bob.id, repost.id)
