"""The Messages pages without JavaScript: the inbox with folders and unread counts, a conversation, and
every action as a plain form post."""

from __future__ import annotations

import pytest

from spool.messaging.models import Message, Reaction

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_nav_links_to_messages(ana):
    assert 'href="/messages"' in html(ana.client.get("/"))


def test_inbox_shows_folders_unread_counts_and_requests(friends, cy):
    ana, bob = friends
    ana.start(bob, "hello from ana")
    cy.set_bio()
    cy.start(bob, "a stranger writes")
    page = html(bob.client.get("/messages"))
    assert "hello from ana" in page and "a stranger writes" not in page
    assert 'aria-label="1 unread"' in page  # Primary and Requests each have one unread conversation
    requests = html(bob.client.get("/messages?folder=requests"))
    assert "a stranger writes" in requests
    assert "hello from ana" not in html(bob.client.get("/messages?unread=1&folder=archived"))


def test_start_send_and_read_a_conversation_by_forms(friends):
    ana, bob = friends
    response = ana.client.post("/messages/new", {"to": "@bob", "text": "first words"})
    assert response.status_code == 302
    url = response["Location"]
    cid = url.rsplit("/", 1)[1]
    assert ana.client.post(f"/messages/{cid}/send", {"text": "second words"}).status_code == 302
    page = html(bob.client.get(url))
    assert "first words" in page and "second words" in page
    # Opening it read it: Ana sees "Seen by".
    assert "Seen by bob" in html(ana.client.get(url))


def test_react_unsend_and_delete_by_forms(friends):
    ana, bob = friends
    message = ana.start(bob, "react to me")["message"]
    cid = message["conversation_id"]
    assert bob.client.post(f"/messages/m/{message['id']}/react", {"emoji": "😂"}).status_code == 302
    assert Reaction.objects.get().emoji == "😂"
    # The same emoji again removes it (a toggle, as the buttons show).
    bob.client.post(f"/messages/m/{message['id']}/react", {"emoji": "😂"})
    assert Reaction.objects.count() == 0
    # htmx gets the message partial back.
    partial = bob.client.post(f"/messages/m/{message['id']}/react", {"emoji": "❤️"}, HTTP_HX_REQUEST="true")
    assert 'id="m' in html(partial) and "❤️ 1" in partial.content.decode()
    ana.client.post(f"/messages/m/{message['id']}/unsend")
    assert "You unsent a message" in html(ana.client.get(f"/messages/{cid}"))
    assert Message.objects.get(pk=message["id"]).text == ""


def test_request_actions_by_forms(ana, bob):
    ana.set_bio()
    cid = ana.start(bob, "may I?")["conversation"]["id"]
    page = html(bob.client.get(f"/messages/{cid}"))
    assert "This is a message request" in page
    response = bob.client.post(f"/messages/{cid}/accept")
    assert response.status_code == 302
    assert "This is a message request" not in html(bob.client.get(f"/messages/{cid}"))


def test_errors_come_back_as_messages_and_change_nothing(friends, cy):
    ana, bob = friends
    cid = ana.start(bob)["conversation"]["id"]
    before = Message.objects.count()
    response = ana.client.post(f"/messages/{cid}/send", {"text": ""}, follow=True)
    assert "Write a message" in response.content.decode()
    response = ana.client.post(f"/messages/{cid}/send", {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert cy.client.post(f"/messages/{cid}/send", {"text": "intrude"}).status_code == 404
    assert cy.client.get(f"/messages/{cid}").status_code == 404
    assert Message.objects.count() == before


def test_dm_setting_on_the_inbox_page(ana):
    ana.client.post("/messages/settings", {"dm_policy": "nobody"})
    assert ana.ok("get", "settings")["dm_policy"] == "nobody"
    assert 'value="nobody" selected' in html(ana.client.get("/messages"))


def test_signed_out_visitors_are_sent_to_log_in(anon):
    response = anon.get("/messages")
    assert response.status_code == 302 and "/login" in response["Location"]
