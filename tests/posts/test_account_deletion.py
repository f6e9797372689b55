"""Deleting an account (through the accounts API) keeps every counter of other people's posts, polls, topics
and profiles exact: the posts app lowers them while the account's rows still exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db.models import Count

from spool.identities.models import Account
from spool.posts.models import Like, Media, Poll, PollOption, PollVote, Post, Repost, Topic
from tests.posts.conftest import Person

pytestmark = pytest.mark.django_db


def assert_every_counter_matches_its_rows() -> None:
    """Recount every denormalised counter from the rows it counts and compare."""
    for post in Post.objects.all():
        assert post.likes_count == Like.objects.filter(post=post).count(), post
        assert post.reposts_count == Repost.objects.filter(post=post).count(), post
        assert post.replies_count == Post.objects.filter(reply_to=post).count(), post
        assert post.quotes_count == Post.objects.filter(quote_of=post).count(), post
    for poll in Poll.objects.all():
        assert poll.votes_count == PollVote.objects.filter(poll=poll).count()
    for option in PollOption.objects.annotate(n=Count("votes")):
        assert option.votes_count == option.n
    for topic in Topic.objects.annotate(n=Count("posts")):
        assert topic.posts_count == topic.n, topic
    for account in Account.objects.annotate(n=Count("posts")):
        assert account.posts_count == account.n, account


def counts(post: dict[str, Any]) -> tuple[int, int, int, int]:
    return post["likes_count"], post["reposts_count"], post["replies_count"], post["quotes_count"]


def profile(viewer: Person, handle: str) -> dict[str, Any]:
    response = viewer.client.get(f"/api/spool/v1/accounts/{handle}")
    assert response.status_code == 200, response.content
    return response.json()


def test_deleting_an_account_lowers_every_counter_it_added_to_others_posts(
    ana: Person, bob: Person, cy: Person
) -> None:
    shared = bob.write("Bob's post", topic="Gardening")
    poll = bob.write("Which?", poll_options=["this", "that"])
    cys = cy.write("Cy's post")
    # What ana adds to others' posts: likes, reposts, replies (twice to one post, and deeper in a thread),
    # quotes, a poll vote, topic posts.
    for post in (shared, poll, cys):
        ana.act(post, "like")
    ana.act(shared, "repost")
    ana.act(cys, "repost")
    ana.reply(shared, "First reply #Gardening")
    ana.reply(shared, "Second reply")
    bobs_reply = bob.reply(cys, "Bob answers cy")
    ana.reply(bobs_reply, "Ana answers bob")
    ana.write("Quoting bob", quote_of_id=shared["id"], topic="Gardening")
    ana.act(poll, "vote", {"option": 1})
    ana.act(poll, "save")
    # What others add, which stays.
    cy.act(shared, "like")
    cy.act(shared, "repost")
    cy.reply(shared, "Cy's reply")
    cy.write("Cy quotes", quote_of_id=shared["id"])
    cy.act(poll, "vote", {"option": 1})
    # Others' posts under ana's posts stay; so do their counters.
    own = ana.write("Ana's own", topic="Gardening")
    bob.reply(own, "Bob replies to ana")
    bob.act(own, "like")

    assert counts(bob.view(shared)) == (2, 2, 3, 2)
    assert counts(bob.view(cys)) == (1, 1, 1, 0)
    assert counts(bob.view(bobs_reply)) == (0, 0, 1, 0)
    assert bob.view(poll)["poll"]["total_votes"] == 2
    assert Topic.objects.get(name="gardening").posts_count == 4
    assert_every_counter_matches_its_rows()

    ana.delete_account()

    assert counts(bob.view(shared)) == (1, 1, 1, 1)
    assert counts(bob.view(cys)) == (0, 0, 1, 0)
    assert counts(bob.view(bobs_reply)) == (0, 0, 0, 0)
    after = bob.view(poll)
    assert counts(after) == (0, 0, 0, 0)
    assert after["poll"]["total_votes"] == 1
    assert [o["votes"] for o in after["poll"]["options"]] == [0, 1]
    assert [o["percent"] for o in after["poll"]["options"]] == [0, 100]
    assert Topic.objects.get(name="gardening").posts_count == 1
    assert profile(cy, "bob")["posts_count"] == 4
    assert profile(bob, "cy")["posts_count"] == 3
    assert_every_counter_matches_its_rows()


def test_replies_under_a_deleted_accounts_ghost_post_go_with_it(ana: Person, bob: Person, cy: Person) -> None:
    """A ghost post's conversation is private to it: deleting the account deletes it, as deleting the ghost
    post would, and lowers what those replies counted (their authors' posts, topics, quoted posts)."""
    quoted = cy.write("Quote me")
    ghost = ana.write("Boo", ghost=True)
    bobs = bob.reply(ghost, "Bob in the ghost thread", topic="Haunts")
    cys = cy.reply(ghost, "Cy too", quote_of_id=quoted["id"], media_ids=[cy.media_id()])
    ana.reply(bobs, "Ana answers bob")
    ana.act(bobs, "like")
    image = Media.objects.get(post_id=cys["id"]).file.name
    assert default_storage.exists(image)
    assert counts(cy.view(quoted))[3] == 1
    assert profile(ana, "bob")["posts_count"] == 1 and profile(ana, "cy")["posts_count"] == 2

    ana.delete_account()

    assert bob.see(bobs).status_code == 404 and cy.see(cys).status_code == 404
    assert not default_storage.exists(image)
    assert counts(cy.view(quoted)) == (0, 0, 0, 0)
    assert profile(cy, "bob")["posts_count"] == 0 and profile(bob, "cy")["posts_count"] == 1
    assert Topic.objects.get(name="haunts").posts_count == 0
    assert not Post.objects.filter(author_id=bob.id).exists()
    assert_every_counter_matches_its_rows()


def test_deleting_an_account_that_did_nothing_changes_no_counter(ana: Person, bob: Person) -> None:
    post = bob.write("Quiet", poll_options=["a", "b"])
    bob.act(post, "like")
    bob.act(post, "vote", {"option": 0})
    ana.delete_account()
    after = bob.view(post)
    assert counts(after) == (1, 0, 0, 0) and after["poll"]["total_votes"] == 1
    assert_every_counter_matches_its_rows()


def test_the_cost_of_deleting_does_not_grow_with_what_the_account_did(person: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spool.posts import services

    def deletion_queries(size: int) -> int:
        ana, bob = person(f"ana{size}"), person(f"bob{size}")
        # What ana did is written through the services; the deletion, which is measured, through the API.
        doer = ana.account
        for i in range(size):
            post = services.create_post(bob.account, text=f"post {i}", poll_options=["a", "b"], topic=f"t{i}")
            services.like_post(doer, post.id)
            services.repost_post(doer, post.id)
            services.vote_in_poll(doer, post.id, 0)
            services.create_post(doer, text="reply", reply_to_id=post.id)
            services.create_post(doer, text="quote", quote_of_id=post.id)
        with CaptureQueriesContext(connection) as captured:
            ana.delete_account()
        assert_every_counter_matches_its_rows()
        return len(captured)

    assert deletion_queries(2) == deletion_queries(12)
