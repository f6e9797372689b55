"""The feed pages: the home page's switcher (plain links, and htmx swapping only the panel), the default
feed, the Feeds page and its buttons, the create and edit forms (with their refusals), a feed's own page,
the profile's Feeds tab and the topic page's Top and Recent tabs."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import CommitClient
from spool.feeds.custom.services import create_feed, pin_feed, set_default_feed
from spool.feeds.models import CustomFeed, FeedPin
from spool.identities.services import follow_account
from spool.posts.services import create_post, like_post, save_post
from tests.web.conftest import body

pytestmark = pytest.mark.django_db


def test_the_switcher_lists_the_feeds_and_each_link_shows_its_feed(make_account: Any, login: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    follow_account(ana, bob)
    liked = create_post(bob, text="a post Ana liked")
    saved = create_post(bob, text="a post Ana saved")
    create_post(bob, text="about cinema", topic="Cinema")
    like_post(ana, liked.id)
    save_post(ana, saved.id)
    feed = create_feed(ana, {"name": "Film buffs", "topics": ["cinema"]})
    pin_feed(ana, feed.id)
    c = login(ana)

    home = body(c.get("/"))
    assert 'aria-label="Feeds"' in home and '<a href="/for-you">For You</a>' in home
    for key, label in [
        ("following", "Following"),
        (str(feed.id), "Film buffs"),
        ("liked", "Liked"),
        ("saved", "Saved"),
        ("fediverse", "Fediverse"),
    ]:
        assert f'href="/?feed={key}"' in home and f">{label}</a>" in home
    assert (
        '<a href="/?feed=following" hx-get="/?feed=following" hx-target="#feed-panel" '
        'hx-push-url="true" aria-current="page">' in home
    )

    assert "a post Ana liked" in body(c.get("/?feed=liked")) and "a post Ana saved" not in body(
        c.get("/?feed=liked")
    )
    assert "a post Ana saved" in body(c.get("/?feed=saved"))
    custom = body(c.get(f"/?feed={feed.id}"))
    assert "about cinema" in custom and "a post Ana liked" not in custom
    assert "Find someone by searching for @user@server" in body(c.get("/?feed=fediverse"))
    assert c.get("/?feed=nonsense").status_code == 404
    assert c.get(f"/?feed={feed.id + 1}").status_code == 404


def test_htmx_swaps_only_the_panel(make_account: Any, login: Any) -> None:
    ana = make_account("ana")
    c = login(ana)
    panel = c.get("/?feed=liked", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="feed-panel")
    text = body(panel)
    assert panel.status_code == 200 and "<html" not in text and "composer" not in text
    assert 'aria-label="Feeds"' in text and 'href="/?feed=liked" hx-get="/?feed=liked"' in text
    assert "HX-Target" in panel["Vary"]


def test_home_opens_the_default_feed(make_account: Any, login: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    create_post(bob, text="cinema news", topic="Cinema")
    feed = create_feed(ana, {"name": "Film", "topics": ["cinema"]})
    pin_feed(ana, feed.id)
    c = login(ana)
    assert "cinema news" not in body(c.get("/"))
    set_default_feed(ana, str(feed.id))
    assert "cinema news" in body(c.get("/"))
    assert "cinema news" not in body(c.get("/?feed=following"))
    # For You lives on its own page: "/" sends there.
    set_default_feed(ana, "for_you")
    page = c.get("/")
    assert page.status_code == 302 and page["Location"] == "/for-you"


def test_creating_a_feed_with_the_form_and_its_refusals(make_account: Any, login: Any) -> None:
    ana = make_account("ana")
    make_account("bob")
    c = login(ana)
    form = body(c.get("/feeds/new?q=%23Cinema+festival"))
    assert 'value="#Cinema festival"' in form and 'value="#Cinema"' in form and 'value="festival"' in form

    refused = c.post("/feeds/new", {"name": "x" * 51, "mode": "recent", "keywords": "film"})
    assert refused.status_code == 422 and "at most 50 characters" in body(refused)
    empty = c.post("/feeds/new", {"name": "Nothing", "mode": "recent"})
    assert empty.status_code == 422 and "at least one topic, profile or keyword" in body(empty)
    too_many = c.post(
        "/feeds/new", {"name": "T", "mode": "recent", "topics": ",".join(f"t{i}" for i in range(11))}
    )
    assert too_many.status_code == 422 and "at most 10 topics" in body(too_many)
    assert not CustomFeed.objects.exists()

    made = c.post(
        "/feeds/new",
        {
            "name": "Film",
            "mode": "top",
            "topics": "Cinema, #Books",
            "profiles": "@bob",
            "keywords": "film festival, premiere",
            "shared": "on",
        },
    )
    feed = CustomFeed.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/feeds/{feed.id}"
    assert (feed.topics, feed.keywords, feed.mode, feed.is_shared) == (
        ["Cinema", "Books"],
        ["film festival", "premiere"],
        "top",
        True,
    )

    edit = body(c.get(f"/feeds/{feed.id}/edit"))
    assert 'value="@bob"' in edit and 'value="film festival, premiere"' in edit
    saved = c.post(f"/feeds/{feed.id}/edit", {"name": "Films", "mode": "recent", "keywords": "film"})
    assert saved.status_code == 302
    feed.refresh_from_db()
    assert (feed.name, feed.topics, feed.profiles, feed.is_shared) == ("Films", [], [], False)


def test_the_feeds_page_pins_moves_sets_the_default_and_deletes(make_account: Any, login: Any) -> None:
    ana = make_account("ana")
    c = login(ana)
    one = create_feed(ana, {"name": "One", "keywords": ["a"]})
    two = create_feed(ana, {"name": "Two", "keywords": ["b"]})
    for feed in (one, two):
        assert c.post(f"/feeds/{feed.id}/pin").status_code == 302
    assert list(FeedPin.objects.order_by("position").values_list("feed_id", flat=True)) == [one.id, two.id]
    c.post(f"/feeds/{two.id}/up")
    assert list(FeedPin.objects.order_by("position").values_list("feed_id", flat=True)) == [two.id, one.id]
    page = body(c.get("/feeds"))
    assert page.index("Two") < page.index("One") and "Move down" in page
    assert c.post("/feeds/default", {"default": str(one.id)}).status_code == 302
    assert "selected>One</option>" in body(c.get("/feeds"))
    c.post(f"/feeds/{one.id}/delete")
    assert not CustomFeed.objects.filter(id=one.id).exists()
    assert 'value="following" selected' in body(c.get("/feeds"))
    c.post(f"/feeds/{two.id}/unpin")
    assert not FeedPin.objects.exists()


def test_others_cannot_change_a_feed_and_a_private_feed_is_a_404(make_account: Any, login: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    feed = create_feed(ana, {"name": "Mine", "keywords": ["a"]})
    c = login(bob)
    assert c.get(f"/feeds/{feed.id}").status_code == 404
    assert c.get(f"/feeds/{feed.id}/edit").status_code == 404
    assert (
        c.post(f"/feeds/{feed.id}/edit", {"name": "Theirs", "mode": "recent", "keywords": "b"}).status_code
        == 404
    )
    assert c.post(f"/feeds/{feed.id}/delete").status_code == 404
    assert c.post(f"/feeds/{feed.id}/pin").status_code == 404
    assert CustomFeed.objects.get().name == "Mine" and not FeedPin.objects.exists()


def test_a_shared_feed_has_a_public_page_and_shows_on_the_profile(make_account: Any, login: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    create_post(ana, text="film night", topic="Cinema")
    shared = create_feed(ana, {"name": "Film nights", "topics": ["cinema"]}, shared=True)
    create_feed(ana, {"name": "Secret", "keywords": ["x"]})
    visitor = CommitClient()
    page = body(visitor.get(f"/feeds/{shared.id}"))
    assert "Film nights" in page and "film night" in page
    tab = body(visitor.get("/@ana?tab=feeds"))
    assert "Film nights" in tab and "Secret" not in tab
    assert "has not shared any feeds" in body(visitor.get("/@bob?tab=feeds"))
    c = login(bob)
    pin = f'action="/feeds/{shared.id}/pin"'
    assert pin in body(c.get("/@ana?tab=feeds")) and pin not in tab  # visitors get no button
    c.post(f"/feeds/{shared.id}/pin", {"next": "/@ana?tab=feeds"})
    assert f'action="/feeds/{shared.id}/unpin"' in body(c.get("/@ana?tab=feeds"))
    assert f'href="/?feed={shared.id}"' in body(c.get("/"))
    assert "Add to a feed" in body(c.get("/@ana"))


def test_add_a_profile_from_its_page(make_account: Any, login: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    feed = create_feed(ana, {"name": "People", "keywords": ["x"]})
    c = login(ana)
    form = body(c.get("/feeds/new?profile=bob"))
    assert "Add @bob to one of your feeds" in form and 'value="@bob"' in form
    assert c.post(f"/feeds/{feed.id}/add-profile", {"profile": "bob"}).status_code == 302
    feed.refresh_from_db()
    assert feed.profiles == [bob.id]


def test_the_topic_page_has_top_and_recent(make_account: Any, login: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    popular = create_post(bob, text="popular take", topic="Cinema")
    create_post(bob, text="newest take", topic="Cinema")
    like_post(ana, popular.id)
    recent = body(CommitClient().get("/topic/cinema"))
    top = body(CommitClient().get("/topic/cinema?sort=top"))
    assert recent.index("newest take") < recent.index("popular take")
    assert top.index("popular take") < top.index("newest take")
    assert CommitClient().get("/topic/cinema?sort=best").status_code == 404


def test_load_more_keeps_the_feed_and_htmx_gets_only_the_next_items(make_account: Any, login: Any) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    for i in range(22):
        like_post(ana, create_post(bob, text=f"liked number {i:02d}").id)
    c = login(ana)
    first = body(c.get("/?feed=liked"))
    assert "liked number 21" in first and "liked number 01" not in first
    link = first.split('class="load-more" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "feed=liked" in link and "cursor=" in link
    more = c.get(link, HTTP_HX_REQUEST="true")
    text = body(more)
    assert "liked number 01" in text and "liked number 00" in text and "liked number 21" not in text
    assert "<html" not in text and 'aria-label="Feeds"' not in text


def test_one_click_feed_from_a_search(make_account: Any, login: Any) -> None:
    ana = make_account("ana")
    c = login(ana)
    made = c.post("/feeds/from-search", {"q": "#Cinema premiere"})
    feed = CustomFeed.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/feeds/{feed.id}"
    assert (feed.name, feed.topics, feed.keywords) == ("#Cinema premiere", ["Cinema"], ["premiere"])
    refused = c.post("/feeds/from-search", {"q": " "}, HTTP_REFERER="http://testserver/feeds")
    assert refused.status_code == 302 and CustomFeed.objects.count() == 1
    assert "Type something to search for." in body(c.get("/feeds"))
