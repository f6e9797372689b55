"""Replies to ghost posts arrive in the ghost post author's inbox as messages sharing the reply."""

from __future__ import annotations

import pytest

from spool.messaging.models import Message

pytestmark = pytest.mark.django_db

POSTS = "/api/spool/v1/posts/"


def post(person, **body):
    import json

    response = person.client.post(POSTS, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_reply_to_a_ghost_post_arrives_as_a_message(ana, bob):
    ana.follow(bob)
    ghost = post(ana, text="gone tomorrow", ghost=True)
    reply = post(bob, text="nice one", reply_to_id=ghost["id"])
    [conversation] = ana.inbox()
    [message] = ana.messages(conversation["id"])
    assert message["sender"]["handle"] == "bob"
    assert message["shared_post"]["id"] == reply["id"] and message["shared_post"]["text"] == "nice one"
    assert conversation["unread_count"] == 1
    # Bob sees the same conversation, read.
    assert bob.inbox()[0]["unread_count"] == 0


def test_from_someone_the_author_does_not_follow_it_is_a_request(ana, bob):
    ghost = post(ana, text="gone tomorrow", ghost=True)
    post(bob, text="hello", reply_to_id=ghost["id"])
    assert ana.inbox() == []
    [request] = ana.inbox("requests")
    assert ana.messages(request["id"])[0]["shared_post"]["text"] == "hello"


def test_not_delivered_when_the_author_takes_no_messages_or_for_ordinary_posts(ana, bob):
    ana.follow(bob)
    ordinary = post(ana, text="here to stay")
    post(bob, text="reply", reply_to_id=ordinary["id"])
    ana.ok("patch", "settings", {"dm_policy": "nobody"})
    ghost = post(ana, text="gone tomorrow", ghost=True)
    post(bob, text="reply", reply_to_id=ghost["id"])
    post(ana, text="my own reply", reply_to_id=ghost["id"])
    assert Message.objects.count() == 0
