"""Reading every unranked feed through ``/api/spool/v1/feeds/``: what each selects, its order, and that
its cursor pages are stable (no repeats, no skips) while new posts, likes and saves arrive; what a
block, mute, unfollow, deletion or hidden word takes out."""

from __future__ import annotations

from typing import Any

import pytest

from spool.identities.models import Account
from spool.identities.services import (
    approve_follow_request,
    block_account,
    follow_account,
    mute_account,
    unfollow_account,
    update_profile,
)
from spool.identities.services.word_filters import KeywordChange, create_filter
from spool.posts.services import create_post, delete_post, like_post, save_post, unlike_post

pytestmark = pytest.mark.django_db


def texts(body: dict[str, Any]) -> list[str]:
    return [item["text"] for item in body["items"]]


def flat(pages: list[list[str]]) -> list[str]:
    return [text for page in pages for text in page]


def test_a_recent_feed_selects_by_topic_profile_and_keyword_newest_first(reader: Any) -> None:
    ana, bob, cy = reader("ana"), reader("bob"), reader("cy")
    create_post(cy.account, text="about cinema", topic="Cinema")
    create_post(bob.account, text="bob says hi")
    create_post(cy.account, text="the film festival opens")
    create_post(cy.account, text="unrelated")
    create_post(cy.account, text="FESTIVAL in capitals")
    create_post(cy.account, text="books", topic="Books")
    parent = create_post(cy.account, text="a thread")
    create_post(bob.account, text="bob's reply", reply_to_id=parent.id)  # replies stay out of custom feeds
    made = ana.create(topics=["cinema"], profiles=["bob"], keywords=["festival"])
    assert texts(ana.page(made["id"] + "/posts")) == [
        "FESTIVAL in capitals",
        "the film festival opens",
        "bob says hi",
        "about cinema",
    ]


def test_recent_pages_neither_repeat_nor_skip_while_posts_arrive(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    for i in range(7):
        create_post(bob.account, text=f"old {i}")
    made = ana.create(profiles=["bob"])
    arrivals = iter(range(100))

    def post_more() -> None:
        create_post(bob.account, text=f"new {next(arrivals)}")

    pages = ana.read_all(made["id"] + "/posts", 3, between=post_more)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert flat(pages) == [f"old {i}" for i in reversed(range(7))]


def test_top_ranks_by_engagement_then_newest_and_pages_stably(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    fans = [reader(f"fan{i}") for i in range(3)]
    posts = [create_post(bob.account, text=f"p{i}", topic="Cinema") for i in range(6)]
    for post, likes in zip(posts, [0, 3, 1, 3, 0, 2], strict=True):
        for fan in fans[:likes]:
            like_post(fan.account, post.id)
    create_post(fans[0].account, text="a reply counts double", reply_to_id=posts[4].id)
    # Scores: p0 0, p1 3, p2 1, p3 3, p4 2 (one reply), p5 2. Ties: newest first.
    made = ana.create(topics=["Cinema"], mode="top")
    arrivals = iter(range(100))

    def post_more() -> None:
        fresh = create_post(bob.account, text=f"fresh {next(arrivals)}", topic="Cinema")
        for fan in fans:
            like_post(fan.account, fresh.id)

    pages = ana.read_all(made["id"] + "/posts", 2, between=post_more)
    assert flat(pages) == ["p3", "p1", "p5", "p4", "p2", "p0"]
    assert all(len(p) == 2 for p in pages)
    # A new session starts from the top again and sees the fresh, well-liked posts first.
    assert texts(ana.page(made["id"] + "/posts"))[:1] == ["fresh 2"]
    # The topic feed's Top tab ranks the same way (replies included in topic feeds).
    assert texts(ana.page("topic/cinema", mode="top", limit=3)) == ["fresh 2", "fresh 1", "fresh 0"]
    assert texts(ana.page(made["id"] + "/posts", mode="recent", limit=1)) == ["fresh 2"]
    for bad_cursor in ("12.x.3", "1.2", "9" * 30 + ".1.1", "-1.2.3"):
        bad = ana.get(made["id"] + "/posts", cursor=bad_cursor)
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"


def test_topic_feeds_recent_and_unknown(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    root = create_post(bob.account, text="first", topic="Cinema")
    create_post(bob.account, text="reply in topic", topic="Cinema", reply_to_id=root.id)
    create_post(bob.account, text="other", topic="Books")
    assert texts(ana.page("topic/%23CINEMA")) == ["reply in topic", "first"]
    assert ana.get("topic/nothing-here").status_code == 404
    assert ana.get("topic/cinema", mode="best").status_code == 422


def test_liked_is_ordered_by_when_liked_and_pages_by_the_like(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    posts = [create_post(bob.account, text=f"p{i}") for i in range(5)]
    for i in (3, 0, 4, 1, 2):  # liked in this order: the newest like comes first
        like_post(ana.account, posts[i].id)
    extra = iter([create_post(bob.account, text=f"late {i}") for i in range(3)])

    def like_more() -> None:
        post = next(extra, None)
        if post is not None:
            like_post(ana.account, post.id)

    pages = ana.read_all("liked", 2, between=like_more)
    assert flat(pages) == ["p2", "p1", "p4", "p0", "p3"]
    unlike_post(ana.account, posts[1].id)
    assert texts(ana.page("liked"))[:4] == ["late 2", "late 1", "late 0", "p2"]


def test_saved_is_ordered_by_when_saved(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    posts = [create_post(bob.account, text=f"p{i}") for i in range(3)]
    for i in (1, 2, 0):
        save_post(ana.account, posts[i].id)
    assert flat(ana.read_all("saved", 2)) == ["p0", "p2", "p1"]
    assert ana.page("liked")["items"] == []


def test_the_fediverse_feed_shows_followed_remote_accounts_only(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    assert ana.page("fediverse") == {"items": [], "next_cursor": None}
    zed = Account.objects.create(handle="zed", domain="remote.example")
    yan = Account.objects.create(handle="yan", domain="other.example")
    follow_account(ana.account, zed)
    follow_account(ana.account, bob.account)
    for i in range(3):
        create_post(zed, text=f"zed {i}")
    create_post(yan, text="not followed")
    create_post(bob.account, text="local, followed")
    parent = create_post(zed, text="zed's thread")
    create_post(zed, text="zed's reply", reply_to_id=parent.id)
    pages = ana.read_all("fediverse", 2)
    assert flat(pages) == ["zed's thread", "zed 2", "zed 1", "zed 0"]
    unfollow_account(ana.account, zed)
    assert ana.page("fediverse")["items"] == []


def test_blocks_mutes_unfollows_deletes_and_hidden_words_take_posts_out(reader: Any) -> None:
    ana, bob, cy, dee = reader("ana"), reader("bob"), reader("cy"), reader("dee")
    update_profile(dee.account, is_private=True)
    follow_account(ana.account, dee.account)
    approve_follow_request(dee.account, ana.account)
    bobs = create_post(bob.account, text="bob on film")
    cys = create_post(cy.account, text="cy on film")
    dees = create_post(dee.account, text="dee on film")
    create_post(cy.account, text="film ending spoilerword")
    gone = create_post(cy.account, text="film to delete")
    for post in (bobs, cys, dees, gone):
        like_post(ana.account, post.id)
    made = ana.create(keywords=["film"])
    path = made["id"] + "/posts"
    assert texts(ana.page(path)) == [
        "film to delete",
        "film ending spoilerword",
        "dee on film",
        "cy on film",
        "bob on film",
    ]

    delete_post(cy.account, gone.id)
    block_account(bob.account, ana.account)  # blocked by the author
    mute_account(ana.account, cy.account)
    unfollow_account(ana.account, dee.account)  # private: no longer visible at all
    assert texts(ana.page(path)) == []
    # Liked keeps what the viewer may still see: a muted author's post they liked stays.
    assert texts(ana.page("liked")) == ["cy on film"]

    eve = reader("eve")
    create_post(cy.account, text="another spoilerword post about film")
    create_filter(
        eve.account,
        title="Spoilers",
        context=["home"],
        action="hide",
        keywords=[KeywordChange(keyword="spoilerword")],
    )
    eves = eve.create(keywords=["film"])
    assert "spoilerword" not in " ".join(texts(eve.page(eves["id"] + "/posts")))
    assert texts(eve.page(eves["id"] + "/posts")) == ["cy on film", "bob on film"]


def test_a_shared_feed_shows_each_reader_what_they_may_see(reader: Any) -> None:
    ana, bob, cy = reader("ana"), reader("bob"), reader("cy")
    update_profile(cy.account, is_private=True)
    follow_account(ana.account, cy.account)
    approve_follow_request(cy.account, ana.account)
    create_post(cy.account, text="private film talk")
    create_post(ana.account, text="public film talk")
    made = ana.create(keywords=["film"], shared=True)
    assert texts(ana.page(made["id"] + "/posts")) == ["public film talk", "private film talk"]
    assert texts(bob.page(made["id"] + "/posts")) == ["public film talk"]


def test_liked_saved_and_fediverse_drop_deleted_blocked_and_unfollowed(reader: Any) -> None:
    ana, bob, cy = reader("ana"), reader("bob"), reader("cy")
    zed = Account.objects.create(handle="zed", domain="remote.example")
    follow_account(ana.account, zed)
    create_post(zed, text="zed speaks")
    kept, gone = create_post(bob.account, text="kept"), create_post(bob.account, text="gone")
    cys = create_post(cy.account, text="cy's")
    for post in (kept, gone, cys):
        like_post(ana.account, post.id)
        save_post(ana.account, post.id)
    delete_post(bob.account, gone.id)
    block_account(cy.account, ana.account)
    assert texts(ana.page("liked")) == texts(ana.page("saved")) == ["kept"]
    assert texts(ana.page("fediverse")) == ["zed speaks"]
    block_account(ana.account, zed)  # a block ends the follow and hides the author
    assert texts(ana.page("fediverse")) == []
