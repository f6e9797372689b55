"""Who may not notify whom: blocks, mutes, restrictions, private profiles, deactivated profiles."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from spool.notifications.models import Notification
from tests.notifications.conftest import ACCOUNTS, PASSWORD, Person


def test_a_block_erases_notifications_both_ways(ana: Person, bob: Person) -> None:
    ana_post, bob_post = ana.write("a"), bob.write("b")
    bob.act(ana_post, "like")
    bob.graph(ana, "follow")
    ana.act(bob_post, "like")
    assert len(ana.kinds()) == 2 and len(bob.kinds()) == 1

    ana.graph(bob, "block")
    assert ana.kinds() == [] and bob.kinds() == []


def test_nothing_crosses_a_block_afterwards(ana: Person, bob: Person) -> None:
    ana.graph(bob, "block")
    bob.write("hey @ana")
    ana.write("hey @bob")
    assert ana.kinds() == [] and bob.kinds() == []


def test_a_muted_person_does_not_notify(ana: Person, bob: Person, cy: Person) -> None:
    post = ana.write("post")
    ana.graph(bob, "mute")
    bob.act(post, "like")
    bob.reply(post, "reply")
    bob.write("hi @ana")
    bob.graph(ana, "follow")
    cy.act(post, "like")
    assert ana.kinds() == [("like", "cy", post["id"])]


def test_a_restricted_person_does_not_notify(ana: Person, bob: Person) -> None:
    post = ana.write("post")
    ana.graph(bob, "restrict")
    bob.reply(post, "you're wrong")
    bob.act(post, "like")
    bob.write("@ana look at this")
    assert ana.kinds() == []
    # Restricting is one-way: Ana's actions still reach Bob.
    ana.act(bob.write("mine"), "like")
    assert [k[0] for k in bob.kinds()] == ["like"]


def test_a_mention_from_a_private_profile_reaches_only_its_followers(
    ana: Person, bob: Person, cy: Person
) -> None:
    ana.go_private()
    bob.graph(ana, "follow")
    ana.answer_request(bob, "approve")
    post = ana.write("psst @bob @cy")
    assert bob.kinds() == [("mention", "ana", post["id"])]
    assert cy.kinds() == []


def test_notifications_about_posts_one_can_no_longer_see_are_not_shown(ana: Person, bob: Person) -> None:
    ana.go_private()
    bob.graph(ana, "follow")
    ana.answer_request(bob, "approve")
    ana.write("psst @bob")
    assert bob.unread() == 1
    bob.graph(ana, "unfollow")
    assert bob.kinds() == [] and bob.unread() == 0


def test_a_deactivated_profile_s_notifications_are_hidden_until_it_returns(ana: Person, bob: Person) -> None:
    post = ana.write("hello")
    bob.act(post, "like")
    response = bob.send(ACCOUNTS + "me/deactivate", {"password": PASSWORD})
    assert response.status_code == 200, response.content
    assert ana.kinds() == [] and ana.unread() == 0

    # Signing in again brings a deactivated profile back.
    response = bob.client.post("/login", {"email": "bob@example.com", "password": PASSWORD})
    assert response.status_code == 302, response.content
    assert ana.kinds() == [("like", "bob", post["id"])]


def test_nobody_is_told_about_a_reply_they_cannot_see(ana: Person, bob: Person) -> None:
    post = ana.write("root")
    reply = bob.reply(post, "rude")
    ana.act(reply, "hide")
    # A reply in a hidden branch is hidden too: only the thread's author and its own author see it.
    ana.reply(reply, "under a hidden reply")
    assert bob.kinds() == []


def test_deleting_an_account_removes_what_it_did_and_was_told(ana: Person, bob: Person) -> None:
    post = ana.write("hello")
    bob.act(post, "like")
    bob.graph(ana, "follow")
    ana.act(bob.write("mine"), "like")
    response = bob.send(ACCOUNTS + "me/delete", {"password": PASSWORD})
    assert response.status_code == 200, response.content
    assert ana.kinds() == [] and ana.unread() == 0
    assert not Notification.objects.filter(Q(recipient_id=bob.id) | Q(actor_id=bob.id)).exists()


def test_the_rules_are_asked_inside_the_notifications_insert(ana: Person, bob: Person) -> None:
    """A like notifies in one statement: blocks, mutes, restrictions, a muted thread and an existing
    notification are looked for inside the insert (:func:`spool.core.inserts.insert_unless`)."""
    post = ana.write("post")
    with CaptureQueriesContext(connection) as queries:
        bob.act(post, "like")
    # The post's visibility rule (asked by the like itself) names the edge tables too: left out.
    rules = ("notifications_notification", "identities_mute", "identities_restrict", "posts_conversationmute")
    asked = [
        q["sql"]
        for q in queries
        if any(table in q["sql"] for table in rules) and not q["sql"].startswith('SELECT "posts_post"')
    ]
    assert len(asked) == 1 and asked[0].startswith("INSERT"), asked
    assert ana.kinds() == [("like", "bob", post["id"])]
