"""The community feed: Top (engagement with recency decay) and Recent orders, stable cursor pages, the
visibility rules of every feed, flair and leader badges, the community's like emoji, and pinned query
counts on the community page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spool.communities.reads import community_feed, top_score
from spool.communities.services import join_community, set_flair
from spool.identities.services import block_account, update_profile
from spool.posts.models import Post
from spool.posts.services import create_post, like_post

FEED = "/api/spool/v1/communities/gardeners/feed"


def garden_post(author, text="seedlings", hours_ago=0):
    post = create_post(author, text=text, topic="Gardening")
    if hours_ago:
        Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    return post


def test_top_weighs_engagement_against_age():
    assert top_score(2, 0) > top_score(0, 0) > top_score(3, 30)
    assert top_score(100, 48) > top_score(0, 0)


def test_top_and_recent_orders(people, community):
    ana, bo = people("ana"), people("bo")
    fans = [people(f"fan{n}") for n in range(3)]
    old_popular = garden_post(ana, "old but loved", hours_ago=30)
    quiet = garden_post(bo, "fresh and quiet")
    liked = garden_post(ana, "fresh and liked")
    create_post(ana, text="elsewhere", topic="Cooking")
    create_post(ana, text="a reply in the topic", topic="Gardening", reply_to_id=liked.id)
    for fan in fans:
        like_post(fan, old_popular.id)
    for fan in fans[:2]:
        like_post(fan, liked.id)
    top = community_feed(None, community, "top")
    assert [i.card.id for i in top.items] == [liked.id, quiet.id, old_popular.id]
    recent = community_feed(None, community, "recent")
    assert [i.card.id for i in recent.items] == [liked.id, quiet.id, old_popular.id]  # newest first


def _walk(client, sort, limit):
    seen, cursor = [], None
    for _ in range(20):
        params = {"sort": sort, "limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get(FEED, params).json()
        seen += [item["post"]["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("sort", ["top", "recent"])
def test_cursor_pages_cover_the_feed_once_in_order(people, community, anon, sort):
    authors = [people(f"a{n}") for n in range(3)]
    fans = [people(f"fan{n}") for n in range(4)]
    posts = [garden_post(authors[n % 3], f"post {n}", hours_ago=n) for n in range(23)]
    for n, post in enumerate(posts):
        for fan in fans[: n % 5]:
            like_post(fan, post.id)
    whole = [item["post"]["id"] for item in anon.get(FEED, {"sort": sort, "limit": 40}).json()["items"]]
    assert len(whole) == 23
    assert _walk(anon, sort, 5) == whole
    if sort == "recent":
        assert whole == [str(p.id) for p in sorted(posts, key=lambda p: p.id, reverse=True)]


def test_the_feed_applies_the_visibility_rules(people, community, anon):
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    public = garden_post(ana, "public")
    private = garden_post(bo, "private")
    update_profile(bo, is_private=True)
    blocked = garden_post(cy, "blocked")
    block_account(ana, cy)
    seen_by_anon = [i.card.id for i in community_feed(None, community, "recent").items]
    assert seen_by_anon == [blocked.id, public.id]
    assert private.id not in [i.card.id for i in community_feed(ana, community, "top").items]
    assert [i.card.id for i in community_feed(ana, community, "recent").items] == [public.id]


def test_items_carry_flair_and_the_page_shows_it_with_the_like_emoji(people, community, login, anon):
    ana, bo = people("ana"), people("bo")
    join_community(ana, "gardeners")
    set_flair(ana, "gardeners", "Expert")
    mine = garden_post(ana, "tomatoes")
    garden_post(bo, "not a member")
    items = community_feed(None, community, "recent").items
    assert [(i.flair, i.leader) for i in items] == [("", False), ("Expert", False)]
    page = login(bo).get("/c/gardeners").content.decode()
    assert 'class="tag tag-flair">Expert<' in page
    assert page.count('class="like-emoji') == 2 and "🌱" in page
    liked = (
        login(bo)
        .post(f"/@ana/post/{mine.id}/like", {"like_emoji": "🌱"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'like-emoji is-on" aria-hidden="true">🌱<' in liked
    forged = (
        login(ana)
        .post(f"/@ana/post/{mine.id}/like", {"like_emoji": "<b>hi</b>"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "like-emoji" not in forged and "&lt;b&gt;" not in forged
    assert "like-emoji" not in anon.get("/new").content.decode()
    assert anon.get("/c/gardeners").content.decode().count('class="like-emoji') == 2  # logged out too


@pytest.mark.parametrize("sort", ["top", "recent"])
def test_the_community_page_costs_the_same_queries_for_few_or_many_posts(
    people, community, login, django_assert_max_num_queries, sort
):
    viewer = people("viewer")
    join_community(viewer, "gardeners")
    client = login(viewer)
    authors = [people(f"a{n}") for n in range(4)]
    for author in authors:
        join_community(author, "gardeners")
        set_flair(author, "gardeners", "Beginner")
    for n in range(4):
        like_post(viewer, garden_post(authors[n], f"first {n}", hours_ago=n).id)
    url = f"/c/gardeners?sort={sort}"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(16):
        like_post(viewer, garden_post(authors[n % 4], f"more {n}").id)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('class="post') >= 20
    assert len(few.captured_queries) == COMMUNITY_PAGE_QUERIES[sort]


# Session, user, account, unread badge, community, membership, the feed's posts (Top: scored IDs, then the
# page's posts), the batched card loading and the authors' badges.
COMMUNITY_PAGE_QUERIES = {"top": 13, "recent": 12}
