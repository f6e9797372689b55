"""Query counts of the unranked feeds, pinned exactly: the same for a page of 5 as for a page of 30, each
page holding every kind of post that costs queries when loaded one by one (see ``varied_posts``), with
the viewer holding a hidden-words filter so that step runs in full. A change here is a deliberate edit."""

from __future__ import annotations

from typing import Any

import pytest

from spool.feeds.custom import pipeline
from spool.feeds.custom.access import access_feed
from spool.feeds.custom.services import create_feed
from spool.identities.models import Account
from spool.identities.services import follow_account
from spool.identities.services.word_filters import KeywordChange, create_filter
from spool.posts.services import save_post
from tests.web.test_queries import varied_posts

pytestmark = pytest.mark.django_db

# The selection (1; Liked and Saved 2), hidden words (3: filters, their keywords, their single posts) and
# the cards (6 for these pages: quotes, images, poll options, votes, likes/reposts/saves, mentions).
FEED_QUERIES = 10
INTERACTION_QUERIES = 11
# The access check (1) comes on top when a feed is read by ID.
BY_ID_QUERIES = FEED_QUERIES + 1


@pytest.fixture
def scene(reader: Any) -> tuple[Account, list[Account]]:
    viewer = reader("viewer").account
    authors = [reader(f"author{i}").account for i in range(3)]
    for author in authors:
        follow_account(viewer, author)
    create_filter(
        viewer,
        title="Words",
        context=["home", "public"],
        action="hide",
        keywords=[KeywordChange(keyword="nothingmatchesthis")],
    )
    return viewer, authors


@pytest.mark.parametrize("size", [5, 30])
def test_a_custom_feed_page(scene: Any, django_assert_num_queries: Any, size: int) -> None:
    viewer, authors = scene
    posts = varied_posts(authors, viewer, size)
    for mode in ("recent", "top"):
        feed = create_feed(
            viewer,
            {
                "name": "All",
                "mode": mode,
                "profiles": [str(a.id) for a in authors],
                "topics": ["topic0"],
                "keywords": ["Post"],
            },
        )
        with django_assert_num_queries(BY_ID_QUERIES):
            page = pipeline.read_feed(viewer, feed.id, limit=size)
        assert len(page.items) == size == len(posts)


@pytest.mark.parametrize("size", [5, 30])
def test_a_topic_feed_page(scene: Any, django_assert_num_queries: Any, size: int) -> None:
    viewer, authors = scene
    varied_posts(authors, viewer, size * 3)
    for mode in ("recent", "top"):
        with django_assert_num_queries(FEED_QUERIES + 1):  # + finding the topic
            page = pipeline.topic_feed_page(viewer, "topic1", mode, limit=size)
        assert len(page.items) == size


@pytest.mark.parametrize("size", [5, 30])
def test_liked_and_saved_pages(scene: Any, django_assert_num_queries: Any, size: int) -> None:
    viewer, authors = scene
    posts = varied_posts(authors, viewer, size)  # the viewer likes every post
    for post in posts:
        save_post(viewer, post.id)
    with django_assert_num_queries(INTERACTION_QUERIES):
        assert len(pipeline.liked_page(viewer, limit=size).items) == size
    with django_assert_num_queries(INTERACTION_QUERIES):
        assert len(pipeline.saved_page(viewer, limit=size).items) == size


@pytest.mark.parametrize("size", [5, 30])
def test_a_fediverse_page(scene: Any, django_assert_num_queries: Any, size: int) -> None:
    viewer, _ = scene
    remote = [Account.objects.create(handle=f"r{i}", domain="remote.example") for i in range(3)]
    for account in remote:
        follow_account(viewer, account)
    varied_posts(remote, viewer, size)
    # + the remote images of the page's posts (only pages with posts from other servers read them).
    with django_assert_num_queries(FEED_QUERIES + 1):
        assert len(pipeline.fediverse_page(viewer, limit=size).items) == size


def test_access_is_one_query(scene: Any, django_assert_num_queries: Any) -> None:
    viewer, _ = scene
    feed = create_feed(viewer, {"name": "x", "keywords": ["x"]})
    with django_assert_num_queries(1):
        access_feed(viewer, feed.id)


# Whole pages of a custom feed: what every signed-in page reads (session, user, account, unread badge), the
# access check and the feed's page as above; home adds the switcher's pins and joined communities (the
# default is read only when no feed is named), the feed's own page whether the viewer pinned it and the
# owner's handles.
HOME_ON_A_FEED_QUERIES = 17
FEED_PAGE_QUERIES = 17


@pytest.mark.parametrize("size", [5, 30])
def test_pages_of_a_custom_feed(reader: Any, scene: Any, django_assert_num_queries: Any, size: int) -> None:
    viewer, authors = scene
    varied_posts(authors, viewer, size)
    feed = create_feed(viewer, {"name": "All", "profiles": [str(a.id) for a in authors]})
    client = reader("viewer").client
    with django_assert_num_queries(HOME_ON_A_FEED_QUERIES):
        assert client.get(f"/?feed={feed.id}").status_code == 200
    with django_assert_num_queries(FEED_PAGE_QUERIES):
        assert client.get(f"/feeds/{feed.id}").status_code == 200
