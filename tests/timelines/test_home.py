"""Reading the Following feed through the store: what shows after blocks, mutes, unfollows, deletes and
privacy changes; each post once across pages; cursors; and a query count that does not grow with the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spool.core.errors import ValidationError
from spool.identities import services as identities
from spool.identities.models import Account
from spool.posts import services as posts
from spool.posts.timelines import home_posts
from spool.timelines.celebrities import read_registry
from spool.timelines.home import home_rows
from spool.timelines.stores import Entry, TimelineStore
from tests.timelines.conftest import People, committed

pytestmark = pytest.mark.django_db


def home_ids(viewer: Any, **kwargs: Any) -> list[int]:
    return [card.id for card in home_posts(viewer, **kwargs).items]


def walk(viewer: Any, limit: int) -> list[Any]:
    cards: list[Any] = []
    cursor = None
    for _ in range(100):
        page = home_posts(viewer, cursor=cursor, limit=limit)
        assert len(page.items) <= limit
        cards += page.items
        cursor = page.next_cursor
        if cursor is None:
            return cards
    raise AssertionError("pages never ended")


def stored_sort_ids(store: TimelineStore, viewer: Any) -> list[int]:
    return [e.sort_id for e in store.read(viewer.id, None, 1000) or []]


@pytest.fixture
def ana_follows_bob(people: People) -> tuple[Any, Any]:
    ana, bob = people("ana"), people("bob")
    people.follow(ana, bob)
    home_posts(ana)
    return ana, bob


def test_blocks_either_way_hide_posts(store: TimelineStore, people: People, ana_follows_bob: Any) -> None:
    ana, bob = ana_follows_bob
    cy = people("cy")
    people.follow(ana, cy)
    bobs, cys = people.post(bob), people.post(cy)
    assert home_ids(ana) == [cys.id, bobs.id]
    committed(identities.block_account, ana, bob)
    assert home_ids(ana) == [cys.id]
    committed(identities.block_account, cy, ana)
    assert home_ids(ana) == []


def test_mutes_hide_posts_and_reposts_until_unmuted(
    store: TimelineStore, people: People, ana_follows_bob: Any
) -> None:
    ana, bob = ana_follows_bob
    cy = people("cy")
    bobs, cys = people.post(bob), people.post(cy)
    people.repost(bob, cys)
    assert home_ids(ana) == [cys.id, bobs.id]
    committed(identities.mute_account, ana, cy)  # a muted author's post reposted by someone followed
    assert home_ids(ana) == [bobs.id]
    committed(identities.mute_account, ana, bob)  # a muted followee and reposter
    assert home_ids(ana) == []
    committed(identities.unmute_account, ana, bob)
    committed(identities.unmute_account, ana, cy)
    assert home_ids(ana) == [cys.id, bobs.id]


def test_unfollowed_accounts_leave_and_their_entries_are_cleaned(
    store: TimelineStore, people: People, ana_follows_bob: Any
) -> None:
    ana, bob = ana_follows_bob
    cy = people("cy")
    people.follow(ana, cy)
    bobs, cys = people.post(bob), people.post(cy)
    repost = people.repost(bob, people.post(cy, "reposted"))
    assert len(stored_sort_ids(store, ana)) == 4
    committed(identities.unfollow_account, ana, bob)
    # cy's post reposted by bob still shows, as cy's own post (cy is followed).
    assert home_ids(ana) == [repost.post_id, cys.id]
    # bob's post and repost are cleaned out of the store as the page met them.
    assert stored_sort_ids(store, ana) == [repost.post_id, cys.id]
    assert bobs.id not in stored_sort_ids(store, ana)


def test_deleted_posts_and_undone_reposts_leave(
    store: TimelineStore, people: People, ana_follows_bob: Any
) -> None:
    ana, bob = ana_follows_bob
    cy = people("cy")
    first, second = people.post(bob), people.post(bob)
    shared = people.post(cy)
    people.repost(bob, shared)
    assert home_ids(ana) == [shared.id, second.id, first.id]
    committed(posts.delete_post, bob, first.id)
    committed(posts.undo_repost, bob, shared.id)
    assert home_ids(ana) == [second.id]
    assert stored_sort_ids(store, ana) == [second.id]


def test_privacy_and_deactivation(store: TimelineStore, people: People, ana_follows_bob: Any) -> None:
    ana, bob = ana_follows_bob
    cy = people("cy")
    bobs, cys = people.post(bob), people.post(cy)
    people.repost(bob, cys)
    committed(identities.update_profile, bob, is_private=True)
    # ana follows bob, so bob's posts still show; cy turning private hides cy's post reposted by bob.
    assert home_ids(ana) == [cys.id, bobs.id]
    committed(identities.update_profile, cy, is_private=True)
    assert home_ids(ana) == [bobs.id]
    committed(identities.deactivate_account, bob)
    assert home_ids(ana) == []


def test_a_post_reposted_several_times_shows_once_across_pages(
    store: TimelineStore, people: People, ana_follows_bob: Any
) -> None:
    ana, bob = ana_follows_bob
    cy, dee = people("cy"), people("dee")
    people.follow(ana, cy, dee)
    popular = people.post(dee, "popular")
    fillers = [people.post(bob, f"filler {i}") for i in range(5)]
    people.repost(bob, popular)
    more = [people.post(cy, f"more {i}") for i in range(5)]
    last = people.repost(cy, popular)
    cards = walk(ana, 2)
    assert [c.id for c in cards] == [popular.id, *[p.id for p in reversed(fillers + more)]]
    assert cards[0].repost_id == last.id and cards[0].reposted_by.id == cy.id
    # Undoing the newest repost brings the post back at the one before.
    committed(posts.undo_repost, cy, popular.id)
    ids = [c.id for c in walk(ana, 3)]
    assert ids == [*[p.id for p in reversed(more)], popular.id, *[p.id for p in reversed(fillers)]]


def test_pages_are_newest_first_complete_and_stable(
    store: TimelineStore, people: People, ana_follows_bob: Any
) -> None:
    ana, bob = ana_follows_bob
    written = []
    for i in range(23):
        written.append(people.post(bob if i % 3 else ana, f"post {i}"))
    first = home_posts(ana, limit=10)
    # Posts arriving between pages do not shift or repeat the next ones.
    people.post(bob, "newer")
    rest = walk_from(ana, first.next_cursor, 10)
    ids = [c.id for c in first.items] + [c.id for c in rest]
    assert ids == [p.id for p in reversed(written)]
    assert len(first.items) == 10


def walk_from(viewer: Any, cursor: Any, limit: int) -> list[Any]:
    cards: list[Any] = []
    while cursor is not None:
        page = home_posts(viewer, cursor=cursor, limit=limit)
        cards += page.items
        cursor = page.next_cursor
    return cards


def test_a_bad_cursor_is_refused(store: TimelineStore, ana_follows_bob: Any) -> None:
    ana, _ = ana_follows_bob
    with pytest.raises(ValidationError):
        home_posts(ana, cursor="abc")
    assert home_posts(ana, cursor="123").items == []


def test_lost_redis_timeline_is_rebuilt(store: TimelineStore, people: People, ana_follows_bob: Any) -> None:
    if store.name == "sql":
        pytest.skip("the SQL store's rows and registry live and die together")
    ana, bob = ana_follows_bob
    post = people.post(bob)
    store.drop([ana.id])  # Redis restarted; the registry still says the timeline is held
    assert home_ids(ana) == [post.id]


def queries(viewer: Any, limit: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        page = home_posts(viewer, limit=limit)
    assert len(page.items) == limit
    return len(captured)


def test_a_page_of_40_costs_the_queries_of_a_page_of_5(store: TimelineStore, people: People) -> None:
    ana, bob, cy = people("ana"), people("bob"), people("cy")
    people.follow(ana, bob, cy)
    home_posts(ana)
    for i in range(50):
        post = people.post(bob if i % 2 else cy, f"post {i} for @ana #Topic")
        if i % 5 == 0:
            committed(posts.like_post, ana, post.id)
            people.repost(cy, people.post(people_extra(people, i), "shared"))
    small, large = queries(ana, 5), queries(ana, 40)
    assert small == large
    # Registry, store (SQL only), posts, reposts, follows/mutes/newest reposts, and the cards' lookups.
    assert large == (9 if store.name == "sql" else 8)


def test_merging_celebrities_costs_no_query_on_postgresql(
    store: TimelineStore, people: People, monkeypatch: Any
) -> None:
    """PostgreSQL reads the celebrities' newest entries in the registry's statement; SQLite reads their IDs,
    then their entries."""
    monkeypatch.setattr(settings.SPOOL, "fanout_threshold", 2)
    ana, bob, star = people("ana"), people("bob"), people("star")
    people.follow(ana, bob)
    home_posts(ana)
    for i in range(3):
        people.post(bob, f"bob {i}")
    plain = queries(ana, 3)
    people.follow(ana, star)
    people.follow(bob, star)
    people.follow(people("dee"), star)
    starred = [people.post(star, f"star {i}") for i in range(3)]
    assert home_ids(ana, limit=3) == [p.id for p in reversed(starred)]
    assert queries(ana, 6) == plain + (0 if connection.vendor == "postgresql" else 2)


def people_extra(people: People, i: int) -> Any:
    return people(f"extra{i}")


def test_the_first_read_costs_a_fixed_number_of_queries(store: TimelineStore, people: People) -> None:
    readers = []
    for size in (5, 40):
        ana = people(f"ana{size}")
        bob = people(f"bob{size}")
        people.follow(ana, bob)
        for i in range(size):
            people.post(bob, f"post {i}")
        readers.append(ana)
    counts = [queries(reader, limit) for reader, limit in zip(readers, (5, 40), strict=True)]
    assert counts[0] == counts[1]


def test_the_api_rows_show_each_post_once_at_its_newest_repost(
    store: TimelineStore, people: People, ana_follows_bob: Any
) -> None:
    """``home_rows`` (on PostgreSQL one statement, whose newest-repost lookup skips posts without reposts):
    a post reposted by people ana follows shows once, at the newest repost, and at the one before when
    that is undone; a followed author's post reposted by someone ana follows shows at the repost only."""
    ana, bob = ana_follows_bob
    cy, dee = people("cy"), people("dee")
    people.follow(ana, cy)
    popular = people.post(dee, "popular")
    bobs = people.post(bob, "bob's")
    quiet = people.post(bob, "quiet")
    first = people.repost(bob, popular)
    last = people.repost(cy, popular)
    again = people.repost(cy, bobs)

    def shown() -> list[tuple[int, int | None]]:
        return [(r.post["id"], r.repost_id) for r in home_rows(ana.id, None, 10).rows]

    assert shown() == [(bobs.id, again.id), (popular.id, last.id), (quiet.id, None)]
    committed(posts.undo_repost, cy, popular.id)
    committed(posts.undo_repost, cy, bobs.id)
    assert shown() == [(popular.id, first.id), (quiet.id, None), (bobs.id, None)]


def test_the_registry_reads_the_viewer_and_the_celebrities_newest_first(
    store: TimelineStore, people: People, monkeypatch: Any
) -> None:
    """PostgreSQL reads the viewer's account and the celebrities' newest entries in the registry's statement:
    the account as Django would load it, each time (its columns' converters and names are kept after the
    first read), and the entries as Entry values, newest first."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's registry reads neither")
    monkeypatch.setattr(settings.SPOOL, "fanout_threshold", 1)
    ana, bob, star = people("ana"), people("bob"), people("star")
    people.follow(ana, star)
    people.follow(bob, star)
    starred = [people.post(star, f"star {i}") for i in range(3)]
    fields = [f.attname for f in Account._meta.concrete_fields]
    for _ in range(2):
        registry = read_registry(ana.id, 1, None, 10)
        fresh = Account.objects.get(id=ana.id)
        assert {f: getattr(registry.account, f) for f in fields} == {f: getattr(fresh, f) for f in fields}
        assert not registry.account._state.adding
        assert registry.account._state.db == "default"
        found = registry.celebrities.entries(None, 10)
        assert [e.sort_id for e in found] == [p.id for p in reversed(starred)]
        assert all(type(e) is Entry for e in found)
