"""Which actions notify whom, and which undo removes what — all through the HTTP APIs."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from spool.posts.models import Poll
from spool.posts.tasks import close_ended_polls
from tests.notifications.conftest import Person


def test_a_like_notifies_the_author_once_and_unlike_removes_it(ana: Person, bob: Person) -> None:
    post = ana.write("hello")
    bob.act(post, "like")
    assert ana.kinds() == [("like", "bob", post["id"])]
    assert bob.kinds() == []

    bob.act(post, "unlike")
    assert ana.kinds() == []

    # Like, unlike, like again: still one notification.
    bob.act(post, "like")
    bob.act(post, "unlike")
    bob.act(post, "like")
    bob.act(post, "like")
    assert ana.kinds() == [("like", "bob", post["id"])]


def test_nobody_is_notified_of_their_own_actions(ana: Person) -> None:
    post = ana.write("talking to myself, @ana")
    ana.act(post, "like")
    ana.act(post, "repost")
    ana.reply(post, "and replying")
    ana.quote(post, "and quoting")
    assert ana.kinds() == []


def test_a_reply_notifies_the_parent_author_not_the_thread_root(ana: Person, bob: Person, cy: Person) -> None:
    root = ana.write("root")
    first = bob.reply(root, "first")
    assert ana.kinds() == [("reply", "bob", first["id"])]

    second = cy.reply(first, "second")
    assert bob.kinds() == [("reply", "cy", second["id"])]
    assert [k for k in ana.kinds() if k[1] == "cy"] == []


def test_mentions_notify_each_mentioned_person_once(ana: Person, bob: Person, cy: Person) -> None:
    post = ana.write("hi @bob and @cy and @bob again, and @nobody")
    assert bob.kinds() == [("mention", "ana", post["id"])]
    assert cy.kinds() == [("mention", "ana", post["id"])]


def test_a_reply_that_also_mentions_the_parent_author_is_one_notification(ana: Person, bob: Person) -> None:
    post = ana.write("question")
    reply = bob.reply(post, "@ana here is my answer")
    assert ana.kinds() == [("reply", "bob", reply["id"])]


def test_a_quote_notifies_the_quoted_author(ana: Person, bob: Person) -> None:
    post = ana.write("quotable")
    quote = bob.quote(post, "so true")
    assert ana.kinds() == [("quote", "bob", quote["id"])]


def test_people_newly_mentioned_by_an_edit_are_notified_once(ana: Person, bob: Person, cy: Person) -> None:
    post = ana.write("hello @bob")
    ana.edit(post, "hello @bob and @cy")
    ana.edit(post, "hello @cy and @bob!")
    assert bob.kinds() == [("mention", "ana", post["id"])]
    assert cy.kinds() == [("mention", "ana", post["id"])]


def test_a_repost_notifies_and_undoing_it_removes_the_notification(ana: Person, bob: Person) -> None:
    post = ana.write("share me")
    bob.act(post, "repost")
    assert ana.kinds() == [("repost", "bob", post["id"])]
    bob.act(post, "unrepost")
    assert ana.kinds() == []


def test_deleting_a_post_removes_the_notifications_about_it(ana: Person, bob: Person) -> None:
    post = ana.write("soon gone")
    reply = bob.reply(post, "nice")
    ana.act(reply, "like")
    assert ana.kinds() == [("reply", "bob", reply["id"])]
    assert bob.kinds() == [("like", "ana", reply["id"])]

    bob.delete_post(reply)
    assert ana.kinds() == []
    assert bob.kinds() == []

    bob.act(post, "like")
    ana.delete_post(post)
    assert ana.kinds() == []


def test_follow_and_unfollow(ana: Person, bob: Person) -> None:
    bob.graph(ana, "follow")
    assert ana.kinds() == [("follow", "bob", None)]
    bob.graph(ana, "unfollow")
    assert ana.kinds() == []


def test_a_follow_request_becomes_a_follow_when_approved(ana: Person, bob: Person) -> None:
    ana.go_private()
    bob.graph(ana, "follow")
    assert ana.kinds() == [("follow_request", "bob", None)]
    ana.answer_request(bob, "approve")
    assert ana.kinds() == [("follow", "bob", None)]


def test_declined_and_withdrawn_requests_leave_nothing(ana: Person, bob: Person, cy: Person) -> None:
    ana.go_private()
    bob.graph(ana, "follow")
    cy.graph(ana, "follow")
    assert {k[1] for k in ana.kinds()} == {"bob", "cy"}
    ana.answer_request(bob, "decline")
    cy.graph(ana, "unfollow")  # tapping "Requested" withdraws the request
    assert ana.kinds() == []


def test_an_ended_poll_notifies_its_author_and_every_voter(ana: Person, bob: Person, cy: Person) -> None:
    post = ana.write("Tea or coffee?", poll_options=["Tea", "Coffee"])
    bob.act(post, "vote", {"option": 0})
    cy.act(post, "vote", {"option": 1})
    assert ana.kinds() == []

    # The scheduler's task closes polls whose 24 hours are over; move the end into the past to let it.
    Poll.objects.filter(post_id=post["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    close_ended_polls.delay()
    close_ended_polls.delay()  # closing twice changes nothing

    assert ana.kinds() == [("poll_ended", None, post["id"])]
    assert bob.kinds() == [("poll_ended", "ana", post["id"])]
    assert cy.kinds() == [("poll_ended", "ana", post["id"])]
