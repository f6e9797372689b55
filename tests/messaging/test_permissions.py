"""Who may message whom, over HTTP: follow states, the recipient's setting, blocks both ways, age, the daily
cap on requests, and links/media/shared posts held back until a request is accepted. Every refusal changes
nothing."""

from __future__ import annotations

import pytest

from spool.accounts.models import User
from spool.messaging.models import Conversation, Message
from spool.messaging.rules import REQUEST_LIMIT

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int]:
    return Conversation.objects.count(), Message.objects.count()


def test_recipient_who_follows_you_gets_it_in_primary(ana, bob):
    bob.follow(ana)
    sent = ana.start(bob, "hi bob")
    assert sent["conversation"]["kind"] == "direct"
    assert [c["id"] for c in bob.inbox()] == [sent["conversation"]["id"]]
    assert bob.inbox("requests") == []
    assert bob.texts(sent["conversation"]["id"]) == ["hi bob"]


def test_stranger_lands_in_requests_and_accepting_moves_it(ana, bob):
    ana.set_bio()
    sent = ana.start(bob, "hello stranger")
    cid = sent["conversation"]["id"]
    assert bob.inbox() == []
    [request] = bob.inbox("requests")
    assert request["id"] == cid and request["state"] == "request"
    # The sender sees it in her own Primary folder.
    assert [c["id"] for c in ana.inbox()] == [cid]
    bob.ok("post", f"conversations/{cid}/accept")
    assert [c["id"] for c in bob.inbox()] == [cid]
    assert bob.inbox("requests") == []


def test_following_only_the_other_way_is_still_a_request(ana, bob):
    """Ana follows Bob; Bob does not follow Ana: her message is a request for him."""
    ana.set_bio()
    ana.follow(bob)
    ana.start(bob)
    assert len(bob.inbox("requests")) == 1


def test_setting_nobody_refuses_everyone_even_followed(ana, bob):
    bob.follow(ana)
    bob.ok("patch", "settings", {"dm_policy": "nobody"})
    before = counts()
    response = ana.dm(bob)
    assert response.status_code == 403 and response.json()["code"] == "cannot_message"
    assert counts() == before


def test_setting_following_refuses_strangers_and_admits_followed(ana, bob, cy):
    bob.ok("patch", "settings", {"dm_policy": "following"})
    bob.follow(cy)
    before = counts()
    assert ana.dm(bob).status_code == 403
    assert counts() == before
    cy.start(bob)
    assert len(bob.inbox()) == 1


def test_invalid_setting_is_refused(ana):
    response = ana.call("patch", "settings", {"dm_policy": "friends"})
    assert response.status_code == 422 and response.json()["field"] == "dm_policy"
    assert ana.ok("get", "settings")["dm_policy"] == "everyone"


@pytest.mark.parametrize("who_blocks", ["recipient", "sender"])
def test_blocks_either_way_refuse_a_new_conversation(ana, bob, who_blocks):
    bob.follow(ana)
    (bob if who_blocks == "recipient" else ana).block(ana if who_blocks == "recipient" else bob)
    before = counts()
    response = ana.dm(bob)
    # A blocked profile is not found at all, whichever side blocked.
    assert response.status_code == 404
    assert counts() == before


@pytest.mark.parametrize("who_blocks", ["recipient", "sender"])
def test_blocks_either_way_stop_an_existing_conversation(friends, who_blocks):
    ana, bob = friends
    cid = ana.start(bob)["conversation"]["id"]
    first = bob.messages(cid)[0]
    (bob if who_blocks == "recipient" else ana).block(ana if who_blocks == "recipient" else bob)
    before = counts()
    assert ana.send(cid, "still there?").status_code == 403
    assert bob.send(cid, "still there?").status_code == 403
    assert bob.call("put", f"messages/{first['id']}/reaction", {"emoji": "👍"}).status_code == 403
    assert counts() == before


def test_under_18_get_no_requests_from_strangers(ana, bob, cy):
    User.objects.filter(account__id=bob.id).update(is_minor=True)
    before = counts()
    response = ana.dm(bob)
    assert response.status_code == 403 and response.json()["code"] == "cannot_message"
    assert counts() == before
    # People the minor follows can still write.
    bob.follow(cy)
    cy.start(bob)
    assert len(bob.inbox()) == 1


def test_requests_per_day_are_capped(person, ana):
    ana.set_bio()
    people = [person(f"p{i}") for i in range(REQUEST_LIMIT.limit + 1)]
    for other in people[:-1]:
        ana.start(other, f"hello {other.handle}")
    before = counts()
    response = ana.dm(people[-1], "one too many")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert response["Retry-After"]
    assert counts() == before


def test_messages_to_followers_do_not_count_against_the_cap(person, ana):
    people = [person(f"f{i}") for i in range(REQUEST_LIMIT.limit + 2)]
    for other in people:
        other.follow(ana)
        ana.start(other)
    assert Conversation.objects.count() == len(people)


@pytest.mark.parametrize(
    "fields",
    [{"text": "see https://example.com/x"}, {"text": "look at www.example.org"}],
)
def test_links_are_refused_in_a_request(ana, bob, fields):
    ana.set_bio()
    before = counts()
    response = ana.call("post", "conversations", {"to": bob.handle, **fields})
    assert response.status_code == 422 and response.json()["code"] == "request_no_media"
    assert counts() == before
    # Also in later messages while the request is pending, and in an edit.
    cid = ana.start(bob, "plain hello")["conversation"]["id"]
    message = ana.messages(cid)[0]
    before = counts()
    assert ana.send(cid, **fields).json()["code"] == "request_no_media"
    assert ana.call("patch", f"messages/{message['id']}", fields).json()["code"] == "request_no_media"
    assert counts() == before
    assert ana.messages(cid)[0]["text"] == "plain hello"
    # Once accepted, links go through.
    bob.ok("post", f"conversations/{cid}/accept")
    assert ana.say(cid, **fields)["text"] == fields["text"]


def test_shared_posts_and_images_are_refused_in_a_request(ana, bob, png):
    ana.set_bio()
    post = ana.client.post(
        "/api/spool/v1/posts/", '{"text": "my post"}', content_type="application/json"
    ).json()
    cid = ana.start(bob, "hi")["conversation"]["id"]
    before = counts()
    assert ana.send(cid, "", shared_post_id=post["id"]).json()["code"] == "request_no_media"
    response = ana.client.post(
        f"/api/spool/v1/messaging/conversations/{cid}/messages",
        {"text": "pic", "image": png(), "image_alt": "a dot"},
    )
    assert response.status_code == 422 and response.json()["code"] == "request_no_media"
    assert counts() == before


def test_replying_to_a_request_accepts_it(ana, bob):
    ana.set_bio()
    cid = ana.start(bob, "hi")["conversation"]["id"]
    bob.say(cid, "hey, check https://example.com")  # the recipient may send links: he is not asking
    assert [c["id"] for c in bob.inbox()] == [cid]
    assert ana.say(cid, "https://example.org/back")["text"] == "https://example.org/back"


def test_decline_removes_the_request_silently_and_a_new_message_is_a_new_request(ana, bob):
    ana.set_bio()
    cid = ana.start(bob, "first")["conversation"]["id"]
    assert bob.call("post", f"conversations/{cid}/decline").status_code == 204
    assert bob.inbox("requests") == [] and bob.inbox() == []
    # Ana is not told; writing again opens a new request, without the old messages.
    ana.say(cid, "second")
    [request] = bob.inbox("requests")
    assert request["id"] == cid
    assert bob.texts(cid) == ["second"]


def test_block_from_a_request(ana, bob):
    ana.set_bio()
    cid = ana.start(bob, "hi")["conversation"]["id"]
    assert bob.call("post", f"conversations/{cid}/block").status_code == 204
    assert bob.inbox("requests") == []
    assert ana.send(cid, "hello?").status_code == 403
    assert ana.dm(bob).status_code == 404


def test_accept_is_only_for_requests(friends):
    ana, bob = friends
    cid = ana.start(bob)["conversation"]["id"]
    response = bob.call("post", f"conversations/{cid}/accept")
    assert response.status_code == 422 and response.json()["code"] == "not_a_request"
    # The sender cannot accept her own request on the other's behalf either.
    assert ana.call("post", f"conversations/{cid}/accept").status_code == 422


def test_message_yourself_is_refused(ana):
    assert ana.dm(ana).status_code == 403
    assert Conversation.objects.count() == 0


def test_signed_out_visitors_get_401(anon):
    assert anon.get("/api/spool/v1/messaging/conversations").status_code == 401
