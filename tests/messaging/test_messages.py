"""Sending, editing, unsending, deleting for oneself and reacting — and bad input refused with a clear error
and no change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spool.messaging.models import MAX_TEXT, HiddenMessage, Message, Reaction

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return list(
        Message.objects.order_by("id").values_list("id", "text", "edited_at", "unsent_at", "image")
    ) + list(Reaction.objects.order_by("id").values_list("id", "emoji"))


@pytest.fixture
def chat(friends):
    ana, bob = friends
    return ana, bob, ana.start(bob, "first")["conversation"]["id"]


def test_both_see_the_conversation_in_order(chat):
    ana, bob, cid = chat
    bob.say(cid, "second")
    ana.say(cid, "third")
    assert ana.texts(cid) == bob.texts(cid) == ["first", "second", "third"]


def test_text_is_trimmed_and_up_to_10000_characters(chat):
    ana, _bob, cid = chat
    assert ana.say(cid, "  spaced  ")["text"] == "spaced"
    assert len(ana.say(cid, "x" * MAX_TEXT)["text"]) == MAX_TEXT


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "empty"),
        ({"text": "   \n "}, 422, "empty"),
        ({"text": "x" * (MAX_TEXT + 1)}, 422, "text_too_long"),
        ({"text": 42}, 422, "invalid"),
        ({"text": "a\x00b"}, 422, "invalid_characters"),
        ({"text": "hi", "shared_post_id": "999"}, 404, "not_found"),
        ({"text": "hi", "image": "not a file"}, 422, "invalid"),
        ({"text": "hi", "image_alt": "alt without image"}, 422, "alt_without_image"),
    ],
)
def test_bad_messages_are_refused_without_change(chat, body, status, code):
    ana, _, cid = chat
    before = snapshot()
    response = ana.call("post", f"conversations/{cid}/messages", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert snapshot() == before


def test_malformed_json_is_refused(chat):
    ana, _, cid = chat
    before = snapshot()
    response = ana.client.post(
        f"/api/spool/v1/messaging/conversations/{cid}/messages", "{nope", content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_json"
    response = ana.client.post(
        f"/api/spool/v1/messaging/conversations/{cid}/messages", "[1]", content_type="application/json"
    )
    assert response.status_code == 422
    assert snapshot() == before


@pytest.mark.parametrize("forged", ["12345", "0", "-4", "abc", str(1 << 64)])
def test_forged_conversation_ids_are_not_found(chat, forged):
    ana, _, _ = chat
    before = snapshot()
    response = ana.send(forged, "hello")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert snapshot() == before


def test_someone_elses_conversation_is_not_found(chat, cy):
    ana, _bob, cid = chat
    before = snapshot()
    assert cy.send(cid, "let me in").status_code == 404
    assert cy.call("get", f"conversations/{cid}/messages").status_code == 404
    assert cy.call("get", f"conversations/{cid}").status_code == 404
    message = ana.messages(cid)[0]
    assert cy.call("put", f"messages/{message['id']}/reaction", {"emoji": "❤️"}).status_code == 404
    assert cy.call("patch", f"messages/{message['id']}", {"text": "x"}).status_code == 404
    assert cy.call("post", f"messages/{message['id']}/unsend").status_code == 404
    assert snapshot() == before


def test_send_an_image_with_alt_text(chat, png):
    ana, bob, cid = chat
    response = ana.client.post(
        f"/api/spool/v1/messaging/conversations/{cid}/messages",
        {"text": "look", "image": png(), "image_alt": "A red square"},
    )
    assert response.status_code == 201, response.content
    image = bob.messages(cid)[0]["image"]
    assert image["alt_text"] == "A red square" and image["width"] == 8
    assert image["url"].endswith(".png")


def test_an_image_that_is_not_an_image_is_refused(chat):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ana, _, cid = chat
    before = snapshot()
    response = ana.client.post(
        f"/api/spool/v1/messaging/conversations/{cid}/messages",
        {"text": "x", "image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    assert response.status_code == 422
    assert snapshot() == before


def test_share_a_post_shows_it_only_to_those_who_may_see_it(chat, cy):
    ana, bob, cid = chat
    cy.client.patch("/api/spool/v1/accounts/me", '{"is_private": true}', content_type="application/json")
    ana.follow(cy)
    cy.client.post(
        f"/api/spool/v1/accounts/me/follow_requests/{ana.handle}/approve",
        "{}",
        content_type="application/json",
    )
    post = cy.client.post(
        "/api/spool/v1/posts/", '{"text": "followers only"}', content_type="application/json"
    ).json()
    ana.say(cid, "see this", shared_post_id=post["id"])
    assert ana.messages(cid)[0]["shared_post"]["text"] == "followers only"
    assert bob.messages(cid)[0]["shared_post"] == {"id": None, "available": False}


def test_edit_within_15_minutes_marks_it_edited(chat):
    ana, bob, cid = chat
    message = ana.say(cid, "helo")
    edited = ana.ok("patch", f"messages/{message['id']}", {"text": "hello"})
    assert edited["text"] == "hello" and edited["edited_at"]
    assert bob.messages(cid)[0]["text"] == "hello"


def test_edit_after_15_minutes_is_refused(chat):
    ana, _, cid = chat
    message = ana.say(cid, "old")
    Message.objects.filter(pk=message["id"]).update(created_at=timezone.now() - timedelta(minutes=16))
    before = snapshot()
    response = ana.call("patch", f"messages/{message['id']}", {"text": "new"})
    assert response.status_code == 403 and response.json()["code"] == "edit_window_over"
    assert snapshot() == before


@pytest.mark.parametrize(("text", "code"), [("", "empty"), ("x" * (MAX_TEXT + 1), "text_too_long")])
def test_bad_edits_are_refused(chat, text, code):
    ana, _, cid = chat
    message = ana.say(cid, "keep me")
    before = snapshot()
    response = ana.call("patch", f"messages/{message['id']}", {"text": text})
    assert response.status_code == 422 and response.json()["code"] == code
    assert snapshot() == before


def test_only_the_sender_edits_or_unsends(chat):
    ana, bob, cid = chat
    message = ana.say(cid, "mine")
    before = snapshot()
    assert bob.call("patch", f"messages/{message['id']}", {"text": "yours"}).json()["code"] == "not_yours"
    assert bob.call("post", f"messages/{message['id']}/unsend").json()["code"] == "not_yours"
    assert snapshot() == before


def test_unsend_removes_it_for_everyone_with_its_reactions(chat):
    ana, bob, cid = chat
    message = ana.say(cid, "oops")
    bob.ok("put", f"messages/{message['id']}/reaction", {"emoji": "😂"})
    unsent = ana.ok("post", f"messages/{message['id']}/unsend")
    assert unsent["unsent"] is True and unsent["text"] == ""
    seen = bob.messages(cid)[0]
    assert seen["unsent"] and seen["text"] == "" and seen["reactions"] == []
    assert not Message.objects.filter(text="oops").exists()
    # Unsending again is harmless; reacting to an unsent message is refused.
    ana.ok("post", f"messages/{message['id']}/unsend")
    assert bob.call("put", f"messages/{message['id']}/reaction", {"emoji": "😂"}).status_code == 422


def test_delete_for_me_hides_it_only_for_me(chat):
    ana, bob, cid = chat
    message = bob.say(cid, "embarrassing")
    assert ana.call("delete", f"messages/{message['id']}").status_code == 204
    assert "embarrassing" not in ana.texts(cid)
    assert "embarrassing" in bob.texts(cid)
    assert HiddenMessage.objects.count() == 1
    # Gone for her means not found for her.
    assert ana.call("put", f"messages/{message['id']}/reaction", {"emoji": "😂"}).status_code == 404


def test_one_reaction_per_person_which_can_change_or_go(chat):
    ana, bob, cid = chat
    message = ana.say(cid, "news")
    assert bob.ok("put", f"messages/{message['id']}/reaction", {"emoji": "❤️"})["reaction_counts"] == {"❤️": 1}
    changed = bob.ok("put", f"messages/{message['id']}/reaction", {"emoji": "😮"})
    assert changed["reaction_counts"] == {"😮": 1} and changed["my_reaction"] == "😮"
    ana.ok("put", f"messages/{message['id']}/reaction", {"emoji": "😮"})
    assert ana.messages(cid)[0]["reaction_counts"] == {"😮": 2}
    removed = bob.ok("delete", f"messages/{message['id']}/reaction")
    assert removed["reaction_counts"] == {"😮": 1} and removed["my_reaction"] is None
    assert Reaction.objects.count() == 1


@pytest.mark.parametrize("emoji", ["🍕", "love", 5, "❤️❤️"])
def test_only_preset_reactions(chat, emoji):
    ana, bob, cid = chat
    message = ana.say(cid, "news")
    response = bob.call("put", f"messages/{message['id']}/reaction", {"emoji": emoji})
    assert response.status_code == 422 and response.json()["field"] == "emoji"
    assert Reaction.objects.count() == 0


def test_search_within_my_conversations(chat, cy):
    ana, bob, cid = chat
    ana.say(cid, "The Blue Heron came back")
    bob.follow(cy)
    cy.start(bob, "a blue car")
    assert [m["text"] for m in ana.ok("get", "search", {"q": "blue"})["items"]] == [
        "The Blue Heron came back"
    ]
    assert len(bob.ok("get", "search", {"q": "BLUE"})["items"]) == 2
    assert ana.call("get", "search", {"q": " "}).status_code == 422
    assert ana.call("get", "search", {"q": "x" * 201}).status_code == 422
