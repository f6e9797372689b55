"""``/api/v1/timelines``: home, public, tag and list timelines through bearer tokens — contents, Mastodon
pagination with ``Link``, scopes, hidden words, and query counts pinned at ``limit=40``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from spool.feeds.lists import add_list_members, create_list
from spool.identities.models import Account
from spool.identities.services import block_account, follow_account, mute_account, update_profile
from spool.identities.services.word_filters import KeywordChange, create_filter, set_hide_offensive_words
from spool.posts.services import create_post, like_post, repost_post, vote_in_poll
from spool.timelines.models import Timeline
from spool.timelines.stores import get_store
from spool.timelines.stores.sql import SqlStore
from tests.api.mastodon.shapes import assert_shape

HOME = "/api/v1/timelines/home"
PUBLIC = "/api/v1/timelines/public"


def ids(response):
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()]


@pytest.fixture
def ana_follows_bo(mastodon):
    ana, bo = mastodon("ana"), mastodon("bo")
    follow_account(ana.account, bo.account)
    return ana, bo


def test_home_shows_followed_posts_and_reblogs_newest_first(ana_follows_bo, mastodon):
    ana, bo = ana_follows_bo
    cy = mastodon("cy")
    own = create_post(ana.account, text="mine")
    theirs = create_post(bo.account, text="from bo")
    stranger = create_post(cy.account, text="from a stranger")
    reply = create_post(bo.account, text="a reply", reply_to_id=stranger.id)
    repost_post(bo.account, stranger.id)
    statuses = ana.get(HOME).json()
    assert_shape("Status", statuses)
    reblog, *rest = statuses
    assert reblog["reblog"]["id"] == str(stranger.id) and reblog["account"]["id"] == str(bo.account.id)
    assert [s["id"] for s in rest] == [str(theirs.id), str(own.id)]
    assert str(reply.id) not in ids(ana.get(HOME))


def test_home_pages_with_max_since_and_min_id_and_a_link_header(ana_follows_bo):
    ana, bo = ana_follows_bo
    posts = [create_post(bo.account, text=f"post {n}").id for n in range(5)]
    newest_first = [str(p) for p in reversed(posts)]
    first = ana.get(HOME, limit=2)
    assert ids(first) == newest_first[:2]
    link = first["Link"]
    assert f"max_id={newest_first[1]}" in link and 'rel="next"' in link
    assert f"min_id={newest_first[0]}" in link and 'rel="prev"' in link
    assert ids(ana.get(HOME, limit=2, max_id=newest_first[1])) == newest_first[2:4]
    assert ids(ana.get(HOME, limit=2, min_id=posts[0])) == [str(posts[2]), str(posts[1])]
    assert ids(ana.get(HOME, since_id=posts[2])) == newest_first[:2]
    assert ids(ana.get(HOME, limit=500)) == newest_first  # capped, not refused
    assert "Link" not in ana.get(HOME, max_id=posts[0])


def test_home_leaves_out_mutes_blocks_and_exclusive_list_members(ana_follows_bo, mastodon):
    ana, bo = ana_follows_bo
    cy, di = mastodon("cy"), mastodon("di")
    follow_account(ana.account, cy.account)
    follow_account(ana.account, di.account)
    from_bo, from_cy, from_di = (create_post(p.account, text="hello") for p in (bo, cy, di))
    mute_account(ana.account, cy.account)
    block_account(di.account, ana.account)
    assert ids(ana.get(HOME)) == [str(from_bo.id)]
    follow_account(ana.account, cy.account)  # (still muted)
    lst = create_list(ana.account, title="Work", exclusive=True)
    add_list_members(ana.account, lst.id, [bo.account.id])
    assert ids(ana.get(HOME)) == []
    assert ids(ana.get(f"/api/v1/timelines/list/{lst.id}")) == [str(from_bo.id)]
    del from_cy, from_di


def test_home_needs_a_token_with_read_statuses(ana_follows_bo, mastodon, anon):
    assert anon.get(HOME).status_code == 401
    assert anon.get(HOME).json()["error"] == "The access token is invalid"
    narrow = mastodon("ana", scopes="read:accounts")
    refused = narrow.get(HOME)
    assert (
        refused.status_code == 403
        and refused.json()["error"] == "This action is outside the authorized scopes"
    )
    assert mastodon("ana", scopes="read:statuses").get(HOME).status_code == 200
    assert mastodon(None).get(HOME).status_code == 422  # an app token has nobody's home


@pytest.mark.parametrize("params", [{"max_id": "abc"}, {"since_id": "-1"}, {"limit": "many"}])
def test_malformed_paging_is_422(ana_follows_bo, params):
    ana, _ = ana_follows_bo
    response = ana.get(HOME, **params)
    assert response.status_code == 422 and response.json()["error"].startswith("Validation failed")


def test_hide_filters_leave_statuses_out_and_warn_filters_mark_them(ana_follows_bo):
    ana, bo = ana_follows_bo
    spoiler = create_post(bo.account, text="The finale was wild")
    hidden = create_post(bo.account, text="Crypto giveaway")
    plain = create_post(bo.account, text="Nice weather")
    create_filter(ana.account, title="TV", context=["home"], keywords=[KeywordChange("finale")])
    create_filter(
        ana.account, title="Spam", context=["home"], action="hide", keywords=[KeywordChange("crypto")]
    )
    statuses = ana.get(HOME).json()
    assert [s["id"] for s in statuses] == [str(plain.id), str(spoiler.id)]
    assert statuses[0]["filtered"] == []
    (result,) = statuses[1]["filtered"]
    assert_shape("FilterResult", result)
    assert result["filter"]["title"] == "TV" and result["keyword_matches"] == ["finale"]
    assert_shape("Status", statuses)
    del hidden


def test_spools_default_list_hides_until_switched_off(ana_follows_bo):
    ana, bo = ana_follows_bo
    slur = create_post(bo.account, text="what a retard")
    assert ids(ana.get(HOME)) == []
    set_hide_offensive_words(ana.account, False)
    assert ids(ana.get(HOME)) == [str(slur.id)]


def test_public_timeline_local_remote_and_media(mastodon, anon):
    ana, bo = mastodon("ana"), mastodon("bo")
    top = create_post(ana.account, text="hello world", topic="Greetings")
    create_post(bo.account, text="a reply", reply_to_id=top.id)
    update_profile(bo.account, is_private=True)
    create_post(bo.account, text="private")
    assert ids(anon.get(PUBLIC)) == [str(top.id)]
    assert ids(ana.get(PUBLIC, local="true")) == [str(top.id)]
    assert ids(anon.get(PUBLIC, {"remote": "true"})) == []
    assert ids(anon.get(PUBLIC, {"only_media": "true"})) == []
    assert_shape("Status", anon.get(PUBLIC).json())


def test_tag_timeline_is_a_topic(mastodon, anon):
    ana = mastodon("ana")
    tagged = create_post(ana.account, text="rise", topic="Baking")
    reply = create_post(ana.account, text="and bake", topic="Baking", reply_to_id=tagged.id)
    create_post(ana.account, text="other", topic="Cooking")
    assert ids(anon.get("/api/v1/timelines/tag/baking")) == [str(reply.id), str(tagged.id)]
    assert ids(anon.get("/api/v1/timelines/tag/unknown")) == []
    assert ids(anon.get("/api/v1/timelines/tag/baking", {"any[]": ["x"], "none[]": ["y"]})) == [
        str(reply.id),
        str(tagged.id),
    ]
    statuses = anon.get("/api/v1/timelines/tag/Baking").json()
    assert statuses[0]["tags"][0]["name"] == "Baking"


def test_list_timeline_follows_the_replies_policy(ana_follows_bo, mastodon):
    ana, bo = ana_follows_bo
    cy, di = mastodon("cy"), mastodon("di")
    follow_account(ana.account, cy.account)
    lst = create_list(ana.account, title="Close", replies_policy="list")
    add_list_members(ana.account, lst.id, [bo.account.id, cy.account.id])
    to_cy = create_post(cy.account, text="root")
    reply_to_member = create_post(bo.account, text="to cy", reply_to_id=to_cy.id)
    to_di = create_post(di.account, text="di root")
    reply_to_stranger = create_post(bo.account, text="to di", reply_to_id=to_di.id)
    path = f"/api/v1/timelines/list/{lst.id}"
    assert ids(ana.get(path)) == [str(reply_to_member.id), str(to_cy.id)]
    ana.put(f"/api/v1/lists/{lst.id}", {"replies_policy": "none"})
    assert ids(ana.get(path)) == [str(to_cy.id)]
    ana.put(f"/api/v1/lists/{lst.id}", {"replies_policy": "followed"})
    assert ids(ana.get(path)) == [str(reply_to_member.id), str(to_cy.id)]
    follow_account(ana.account, di.account)
    assert ids(ana.get(path)) == [str(reply_to_stranger.id), str(reply_to_member.id), str(to_cy.id)]


def test_someone_elses_list_timeline_is_404(ana_follows_bo, mastodon):
    ana, _ = ana_follows_bo
    lst = create_list(ana.account, title="Mine")
    assert mastodon("eve").get(f"/api/v1/timelines/list/{lst.id}").status_code == 404
    assert ana.get("/api/v1/timelines/list/nonsense").status_code == 404
    assert mastodon("ana", scopes="read:statuses").get(f"/api/v1/timelines/list/{lst.id}").status_code == 403


# --- Query counts -------------------------------------------------------------------------------------


def _varied_posts(author, others, count):
    """``count`` posts of every sort a page can hold: plain, topics, polls, quotes, replies' parents…"""
    made = []
    for n in range(count):
        kind = n % 4
        if kind == 0:
            made.append(create_post(author.account, text=f"plain {n} @{others[0].account.handle}"))
        elif kind == 1:
            made.append(create_post(author.account, text=f"topic {n}", topic=f"Topic{n % 3}"))
        elif kind == 2:
            post = create_post(author.account, text=f"poll {n}", poll_options=["yes", "no"])
            vote_in_poll(others[0].account, post.id, 0)
            made.append(post)
        else:
            made.append(create_post(author.account, text=f"quote {n}", quote_of_id=made[-1].id))
        like_post(others[0].account, made[-1].id)
    return made


def page_queries(captured):
    """Queries the page made, leaving out the token's read (on its first use only: it is remembered then,
    spool.oauth.credentials); the caller's account is read on every request and counted."""
    return sum("oauth_token" not in q["sql"] for q in captured.captured_queries)


def _count(caller, path):
    with CaptureQueriesContext(connection) as captured:
        response = caller.get(path, limit=40)
    assert response.status_code == 200
    return page_queries(captured), len(response.json())


# A home page whose statuses are not cached yet (their first rendering fills the cache), and the same page
# once they are; with the SQL timeline store (the Redis store reads the page's IDs outside SQL). The page
# mixes polls, quotes, media and reblogs: statuses with a poll or a quote are rendered in full every time.
# The caller's account is read in the page's first statement (the timeline's registry), not apart.
# Counted with the page cache off: the page mixes polls and quotes, so it is never kept, and the cache
# stops reading its versions (one statement of their own on SQLite) after a few tries
# (spool.api.mastodon.page_cache); test_home_page_cache.py counts the cache's own statements.
HOME_QUERIES = 12
HOME_CACHED_QUERIES = 12
PUBLIC_QUERIES = 10


def test_home_costs_the_same_queries_for_5_and_40_statuses(ana_follows_bo, mastodon, settings):
    settings.SPOOL = settings.SPOOL.model_copy(update={"home_page_cache": 0})
    ana, bo = ana_follows_bo
    cy = mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):  # fan-out into the timeline store, as on commit
        follow_account(ana.account, cy.account)
        _varied_posts(bo, [cy], 4)
        repost_post(cy.account, create_post(bo.account, text="boosted").id)
    ana.get(HOME)  # the first read builds the viewer's timeline in the store; the budget is for warm reads
    few, shown = _count(ana, HOME)
    assert shown == 5  # the boosted post shows once, as cy's reblog
    few_cached, _ = _count(ana, HOME)
    with TestCase.captureOnCommitCallbacks(execute=True):
        _varied_posts(bo, [cy], 36)
        for post in _varied_posts(cy, [bo], 4):
            repost_post(bo.account, post.id)
    many, shown = _count(ana, HOME)
    assert shown == 40
    many_cached, _ = _count(ana, HOME)
    by_store = 0 if isinstance(get_store(), SqlStore) else 1
    # On PostgreSQL the relations and flags are read in the posts' statement.
    by_postgres = 1 if connection.vendor == "postgresql" else 0
    assert few == many == HOME_QUERIES - by_store - by_postgres
    assert few_cached == many_cached == HOME_CACHED_QUERIES - by_store - by_postgres


def test_home_refuses_a_remembered_token_whose_account_is_gone(ana_follows_bo):
    """The home page reads the caller's account itself (authentication defers it): an account deleted
    behind the remembered token's back is still refused as a bad token."""
    ana, bo = ana_follows_bo
    create_post(bo.account, text="hello")
    assert ana.get(HOME).status_code == 200  # the token is remembered now
    Account.objects.filter(id=ana.account.id).delete()  # not through the services: nothing forgets it
    response = ana.get(HOME, limit=40)
    assert response.status_code == 401
    assert response.json()["error"] == "The access token is invalid"


@pytest.fixture
def redis_only() -> None:
    if not django_settings.SPOOL.redis_url:
        pytest.skip("REDIS_URL is not set")


def test_with_redis_a_home_page_reads_the_timeline_in_the_rate_limit_round_trip(
    redis_only, ana_follows_bo, monkeypatch
):
    """Once this process has seen the token's person, the caller's timeline rides the rate-limit counter's
    round trip: one Redis command for a warm page (statuses cached), where the counter and the timeline's
    own read were two; a post fanned out since the last page still shows."""
    from redis.connection import AbstractConnection

    from spool.core.ratelimit import _hit_script
    from spool.core.redis import redis_client

    ana, bo = ana_follows_bo
    first = [create_post(bo.account, text=f"post {n}").id for n in range(3)]
    assert ids(ana.get(HOME)) == [str(p) for p in reversed(first)]
    with TestCase.captureOnCommitCallbacks(execute=True):  # fanned out, as on commit
        later = create_post(bo.account, text="later").id
    ana.get(HOME)  # renders and caches the new status
    # Every command this process sends, by connection (redis-py's transport; the counter's own connections
    # and the client's pool's are told apart from the cache's afterwards).
    sent: list[tuple[Any, bytes]] = []
    send = AbstractConnection.send_packed_command

    def recorded(connection: Any, command: Any, *args: Any, **kwargs: Any) -> None:
        packed = command if isinstance(command, bytes) else b"".join(command)
        sent.append((connection, packed.split(b"\r\n")[2]))
        send(connection, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", recorded)
    assert ids(ana.get(HOME)) == [str(p) for p in (later, *reversed(first))]
    pool = redis_client().connection_pool
    ours = {*pool._available_connections, *pool._in_use_connections, *_hit_script()._idle}
    assert [name for connection, name in sent if connection in ours] == [b"EVALSHA"]


def test_with_redis_a_page_rebuilt_at_read_does_not_show_what_was_read_before_the_rebuild(
    redis_only, ana_follows_bo
):
    """The timeline read with the rate-limit counter comes before the registry says whether it is held: a
    timeline no longer held is rebuilt, and the page shows the rebuilt one, not the read."""
    ana, bo = ana_follows_bo
    posts = [create_post(bo.account, text=f"post {n}").id for n in range(3)]
    ana.get(HOME)  # the timeline is held and the token remembered
    ana.get(HOME)  # the token's person is known to this process
    get_store().remove(ana.account.id, [posts[1]])  # what an upkeep drop racing this read could leave
    Timeline.objects.filter(owner_id=ana.account.id).update(active_at=timezone.now() - timedelta(days=90))
    assert ids(ana.get(HOME)) == [str(p) for p in reversed(posts)]


def test_a_celebrity_sees_their_own_posts_on_home(ana_follows_bo, mastodon, monkeypatch):
    """A viewer with more followers than the fan-out threshold has their own posts merged in at read time:
    whether they are one is read with the page (from the account the page reads)."""
    ana, bo = ana_follows_bo
    monkeypatch.setattr(django_settings.SPOOL, "fanout_threshold", 1)
    for name in ("cy", "dee"):
        follow_account(mastodon(name).account, ana.account)
    assert ids(ana.get(HOME)) == []  # held from now on: what follows arrives by fan-out or at read time
    with TestCase.captureOnCommitCallbacks(execute=True):
        theirs = create_post(bo.account, text="bo's")
        own = create_post(ana.account, text="ana's, not fanned out")
    assert ids(ana.get(HOME)) == [str(own.id), str(theirs.id)]


def test_public_costs_the_same_queries_for_5_and_40_statuses(mastodon):
    ana, bo = mastodon("ana"), mastodon("bo")
    _varied_posts(bo, [ana], 5)
    few, shown = _count(ana, PUBLIC)
    assert shown == 5
    _varied_posts(bo, [ana], 40)
    many, shown = _count(ana, PUBLIC)
    assert shown == 40
    assert few == many == PUBLIC_QUERIES


def test_hide_filters_apply_on_public_tag_list_and_trends(ana_follows_bo, mastodon):
    ana, bo = ana_follows_bo
    cy = mastodon("cy")
    kept = create_post(bo.account, text="garden news", topic="Garden")
    caught = create_post(bo.account, text="crypto garden", topic="Garden")
    like_post(cy.account, kept.id)
    like_post(cy.account, caught.id)
    lst = create_list(ana.account, title="Bo")
    add_list_members(ana.account, lst.id, [bo.account.id])
    create_filter(
        ana.account,
        title="Spam",
        context=["public", "home"],
        action="hide",
        keywords=[KeywordChange("crypto")],
    )
    for path in (
        PUBLIC,
        "/api/v1/timelines/tag/garden",
        f"/api/v1/timelines/list/{lst.id}",
        "/api/v1/trends/statuses",
    ):
        assert ids(ana.get(path)) == [str(kept.id)], path
        if "list" not in path:  # bo has no filters: both show
            assert set(ids(bo.get(path))) == {str(kept.id), str(caught.id)}, path
