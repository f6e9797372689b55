"""For You's precomputed candidate pools, on both pool stores (the embedded rows and Redis): a ranking reads
the pools the beat job wrote rather than scanning the window, a refresh brings what happened since, a cold
or stale pool is computed once by the reader, pools stay bounded, and everything that depends on the viewer
(blocks, mutes, privacy, hidden words, followed authors) still applies when the pool is read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from spool.feeds import tasks
from spool.feeds.for_you import candidates, pools
from spool.feeds.for_you.candidates import SourceContext
from spool.feeds.for_you.feed import for_you_page, forget_ranking
from spool.feeds.for_you.pool_store import POOL_STORE, PoolStore, SqlPoolStore
from spool.identities.services import block_account, follow_account, mute_account, update_profile
from spool.identities.services.word_filters import KeywordChange, create_filter
from spool.posts.services import create_post, like_post

pytestmark = pytest.mark.usefixtures("on_commit")


@pytest.fixture(params=["sql", "redis"])
def store(request: Any, db: None) -> Iterator[PoolStore]:
    if request.param == "sql":
        chosen: Any = SqlPoolStore()
    else:
        if not settings.SPOOL.redis_url:
            pytest.skip("REDIS_URL is not set")
        from spool.feeds.for_you.pool_store import RedisPoolStore

        chosen = RedisPoolStore(prefix=f"{settings.KEY_PREFIX}test")
    chosen.clear()
    with POOL_STORE.use(chosen):
        yield chosen
    chosen.clear()


def ranked(viewer) -> dict[int, list[str]]:
    """Post ID -> reasons of a fresh ranking."""
    forget_ranking(viewer.id)
    return {i.card.id: [r.text for r in i.explanation.reasons] for i in for_you_page(viewer, limit=40).items}


def engaged(author, text, *fans, **kw):
    post = create_post(author, text=text, **kw)
    for fan in fans:
        like_post(fan, post.id)
    return post


def test_a_cold_pool_is_computed_once_then_read_until_the_job_refreshes_it(people, store):
    ana, bo, fan = people("ana"), people("bo"), people("fan")
    first = engaged(bo, "an early voice", fan)
    assert store.read("new_voices") is None
    assert first.id in ranked(ana)  # cold: computed by the reader ...
    stored = store.read("new_voices")
    assert stored is not None and stored.ids == [first.id]  # ... and stored for the next readers
    later = engaged(bo, "a later voice", fan)
    assert later.id not in ranked(ana)  # the ranking reads the pool; it does not scan the window
    assert tasks.refresh_candidate_pools.delay().get() == {
        "new_voices": 2,
        "trending_posts": 2,
        "trending_topics": 0,
    }
    assert store.read("new_voices").ids[:2] == [later.id, first.id]
    reasons = ranked(ana)
    assert {first.id, later.id} <= set(reasons)
    assert "A new voice for you" in reasons[later.id] and "Trending" in reasons[later.id]


def test_a_stale_pool_is_recomputed_by_the_reader(people, store):
    ana, bo, fan = people("ana"), people("bo"), people("fan")
    post = engaged(bo, "worth hearing", fan)
    old = timezone.now() - pools.STALE_AFTER - timedelta(minutes=1)
    for name in pools.POOLS:
        store.write(name, [], old)
    assert post.id in ranked(ana)
    assert store.read("new_voices").ids == [post.id]
    assert store.read("new_voices").computed_at > old


def test_pools_are_bounded_and_best_first(people, store, monkeypatch):
    ana, fans = people("ana"), [people(f"fan{n}") for n in range(3)]
    posts = [engaged(people(f"v{n}"), f"voice {n}", *fans[:n]) for n in range(1, 4)]
    monkeypatch.setattr(pools, "POOL_SIZE", 2)
    pools.refresh_candidate_pools()
    assert store.read("new_voices").ids == [posts[2].id, posts[1].id]
    assert set(ranked(ana)) == {posts[2].id, posts[1].id}


def test_the_viewer_rules_apply_when_a_pool_is_read(people, store):
    ana, fan = people("ana"), people("fan")
    blocked, muted, hidden_words, gone_private, followed, fine = (
        people(h) for h in ("blocked", "muted", "hw", "priv", "friend", "fine")
    )
    posts = {
        "blocked": engaged(blocked, "from someone ana blocks", fan),
        "muted": engaged(muted, "from someone ana muted", fan),
        "hidden": engaged(hidden_words, "the finale was great", fan),
        "private": engaged(gone_private, "soon private", fan),
        "followed": engaged(followed, "from a friend", fan),
        "own": engaged(ana, "ana's own", fan),
        "fine": engaged(fine, "nothing wrong here", fan),
    }
    pools.refresh_candidate_pools()
    assert set(store.read("new_voices").ids) == {p.id for p in posts.values()}  # the pool is not per viewer
    block_account(ana, blocked)
    mute_account(ana, muted)
    create_filter(ana, title="tv", context=["home"], action="hide", keywords=[KeywordChange("finale")])
    update_profile(gone_private, is_private=True)
    follow_account(ana, followed)
    reasons = ranked(ana)
    assert set(reasons) == {posts["fine"].id, posts["followed"].id}
    assert "A new voice for you" in reasons[posts["fine"].id]
    # Proposed by following, never as a new voice once followed.
    assert "A new voice for you" not in reasons[posts["followed"].id]
    assert "You follow @friend" in reasons[posts["followed"].id]


def test_a_pool_read_past_its_first_slice_when_that_slice_is_all_followed(people, store):
    """A ranking reads a pool's first slice (twice what the source keeps) and the rest only when the slice
    kept too little: here the best new voices are all followed, so the one stranger comes from the rest."""
    ana, fans = people("ana"), [people(f"fan{n}") for n in range(3)]
    friends = [people(f"friend{n}") for n in range(3)]
    for friend in friends:
        follow_account(ana, friend)
    followed_posts = [engaged(friend, f"popular {n}", *fans) for n, friend in enumerate(friends)]
    stranger = engaged(people("stranger"), "a quieter voice", fans[0])
    pools.refresh_candidate_pools()
    assert store.read("new_voices").ids[-1] == stranger.id  # least engaged: last, past the first slice
    context = SourceContext(ana, timezone.now(), limit=1)  # slices of two IDs
    assert [h.post_id for h in candidates.new_voices(context)] == [stranger.id]
    assert store.read("new_voices", 2).ids == [p.id for p in followed_posts[::-1]][:2]


def test_the_beat_job_is_scheduled():
    job = settings.CELERY_BEAT_SCHEDULE["refresh-candidate-pools"]
    assert job["task"] == tasks.refresh_candidate_pools.name
