"""Per-action rate limits at their edge, over HTTP, with each limit lowered through the ``RATE_LIMITS``
setting: the Nth action is allowed, the N+1th is a 429 with ``Retry-After`` and ``X-RateLimit-*`` headers
(native and Mastodon APIs) or a readable message (pages) — and the refused write changed nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import CommitClient
from spool.identities.models import Account, Follow, FollowRequest
from spool.messaging.models import Conversation, Message
from spool.posts.models import Like, Post
from tests.api.mastodon.conftest import token_client

pytestmark = pytest.mark.django_db

API = "/api/spool/v1/"
PASSWORD = "correct horse battery staple"


class Person:
    def __init__(self, client: Client, handle: str, account_id: int) -> None:
        self.client, self.handle, self.id = client, handle, account_id

    def call(self, method: str, path: str, data: Any = None) -> Any:
        if method == "get":
            return self.client.get(API + path, data or {})
        body = json.dumps(data if data is not None else {})
        return getattr(self.client, method)(API + path, body, content_type="application/json")

    def ok(self, method: str, path: str, data: Any = None) -> Any:
        response = self.call(method, path, data)
        assert response.status_code in (200, 201), response.content
        return response.json()

    @property
    def account(self) -> Account:
        return Account.objects.get(pk=self.id)


def sign_up(client: Client, handle: str) -> Any:
    body = {"email": f"{handle}@example.com", "password": PASSWORD, "handle": handle}
    return client.post(API + "accounts/", json.dumps(body), content_type="application/json")


@pytest.fixture
def person(db: None) -> Any:
    def make(handle: str) -> Person:
        client = CommitClient()
        response = sign_up(client, handle)
        assert response.status_code == 201, response.content
        return Person(client, handle, int(response.json()["id"]))

    return make


@pytest.fixture
def limits(settings: Any) -> Any:
    """``limits(follows=2)`` lowers those limits for this test."""

    def lower(**values: int) -> None:
        settings.RATE_LIMITS = {scope.replace("sign_ups", "sign-ups"): n for scope, n in values.items()}

    return lower


def refused_at_limit(response: Any, limit: int) -> None:
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["code"] == "rate_limited" and f"the limit is {limit} per" in body["error"]
    assert int(response["Retry-After"]) > 0
    assert response["X-RateLimit-Limit"] == str(limit) and response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Reset"].endswith("Z")


def test_follows(person, limits) -> None:
    limits(follows=2)
    ana, bob, cy, dee = (person(h) for h in ("ana", "bob", "cy", "dee"))
    dee.ok("patch", "accounts/me", {"is_private": True})
    assert ana.ok("post", "accounts/bob/follow")["state"] == "following"
    assert ana.ok("post", "accounts/bob/follow")["state"] == "following"  # a repeat is not counted
    assert ana.ok("post", "accounts/dee/follow")["state"] == "requested"  # the 2nd: a request counts too
    before = (Follow.objects.count(), FollowRequest.objects.count(), ana.account.following_count)
    refused_at_limit(ana.call("post", "accounts/cy/follow"), 2)
    assert (Follow.objects.count(), FollowRequest.objects.count(), ana.account.following_count) == before
    assert cy.account.followers_count == 0
    # Someone else is not affected by Ana's count.
    assert bob.ok("post", "accounts/cy/follow")["state"] == "following"


def test_follows_on_a_page_give_a_readable_message(person, limits) -> None:
    limits(follows=1)
    ana, _, _ = person("ana"), person("bob"), person("cy")
    assert ana.client.post("/@bob/relationship", {"action": "follow"}).status_code == 302
    response = ana.client.post("/@cy/relationship", {"action": "follow"}, follow=True)
    assert "Too many follows — the limit is 1 per 24 hours" in response.content.decode()
    htmx = ana.client.post("/@cy/relationship", {"action": "follow"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 429 and "Too many follows" in htmx.content.decode()
    assert Follow.objects.count() == 1


def test_follows_and_likes_on_the_mastodon_api_report_their_own_limit(person, limits) -> None:
    limits(follows=1, likes=1)
    person("bob"), person("cy")
    ana = person("ana")
    caller = token_client(ana.account)
    bob_id, cy_id = (Account.objects.get(handle=h).pk for h in ("bob", "cy"))
    assert caller.post(f"/api/v1/accounts/{bob_id}/follow").status_code == 200
    response = caller.post(f"/api/v1/accounts/{cy_id}/follow")
    refused_at_limit(response, 1)
    assert response.json()["error"].startswith("Too many follows")
    assert not Follow.objects.filter(followee_id=cy_id).exists()
    first, second = (ana.ok("post", "posts/", {"text": f"post {n}"})["id"] for n in (1, 2))
    assert caller.post(f"/api/v1/statuses/{first}/favourite").status_code == 200
    refused_at_limit(caller.post(f"/api/v1/statuses/{second}/favourite"), 1)
    assert Like.objects.count() == 1 and Post.objects.get(pk=second).likes_count == 0


def test_likes(person, limits) -> None:
    limits(likes=2)
    ana, bob = person("ana"), person("bob")
    posts = [ana.ok("post", "posts/", {"text": f"post {n}"})["id"] for n in range(3)]
    bob.ok("post", f"posts/{posts[0]}/like")
    bob.ok("post", f"posts/{posts[0]}/like")  # already liked: not counted
    bob.ok("post", f"posts/{posts[1]}/like")
    refused_at_limit(bob.call("post", f"posts/{posts[2]}/like"), 2)
    assert Like.objects.count() == 2 and Post.objects.get(pk=posts[2]).likes_count == 0


def test_posts_and_replies_are_counted_apart(person, limits) -> None:
    limits(posts=2, replies=3)
    ana = person("ana")
    root = ana.ok("post", "posts/", {"text": "first"})["id"]
    ana.ok("post", "posts/", {"text": "second"})
    refused_at_limit(ana.call("post", "posts/", {"text": "third"}), 2)
    assert Post.objects.count() == 2
    for n in range(3):  # replies have their own, higher limit
        ana.ok("post", "posts/", {"text": f"reply {n}", "reply_to_id": root})
    refused_at_limit(ana.call("post", "posts/", {"text": "reply 4", "reply_to_id": root}), 3)
    assert Post.objects.count() == 5 and Post.objects.get(pk=root).replies_count == 3


def test_posts_on_a_page_give_a_readable_message(person, limits) -> None:
    limits(posts=1)
    ana = person("ana")
    assert ana.client.post("/compose", {"text": "one"}).status_code == 302
    response = ana.client.post("/compose", {"text": "two"})
    assert "Too many posts — the limit is 1 per 24 hours" in response.content.decode()
    assert Post.objects.count() == 1


def test_messages(person, limits) -> None:
    limits(messages=3)
    ana, bob = person("ana"), person("bob")
    bob.ok("post", "accounts/ana/follow")  # Bob follows Ana: her message is not a request
    cid = ana.ok("post", "messaging/conversations", {"to": "bob", "text": "one"})["conversation"]["id"]
    ana.ok("post", f"messaging/conversations/{cid}/messages", {"text": "two"})
    ana.ok("post", f"messaging/conversations/{cid}/messages", {"text": "three"})
    before = Message.objects.count()
    refused_at_limit(ana.call("post", f"messaging/conversations/{cid}/messages", {"text": "four"}), 3)
    assert Message.objects.count() == before
    texts = {m["text"] for m in bob.ok("get", f"messaging/conversations/{cid}/messages")["items"]}
    assert texts == {"one", "two", "three"}


def test_message_requests(person, limits) -> None:
    limits(message_requests=2)
    ana, *others = (person(h) for h in ("ana", "bob", "cy", "dee", "eve"))
    ana.ok("patch", "accounts/me", {"bio": "Hello, I am Ana"})  # strangers with empty profiles are held
    ana.ok("post", "messaging/conversations", {"to": "bob", "text": "hi bob"})
    ana.ok("post", "messaging/conversations", {"to": "cy", "text": "hi cy"})
    before = (Conversation.objects.count(), Message.objects.count())
    refused_at_limit(ana.call("post", "messaging/conversations", {"to": "dee", "text": "hi dee"}), 2)
    assert (Conversation.objects.count(), Message.objects.count()) == before
    # Someone who follows Ana is not a request, so not counted.
    others[3].ok("post", "accounts/ana/follow")
    ana.ok("post", "messaging/conversations", {"to": "eve", "text": "hi eve"})


def test_sign_ups_per_address(limits) -> None:
    limits(sign_ups=2)
    address = {"REMOTE_ADDR": "198.19.7.7"}  # each client a new device, all behind one address
    assert sign_up(CommitClient(**address), "ana").status_code == 201
    assert sign_up(CommitClient(**address), "bob").status_code == 201
    refused_at_limit(sign_up(CommitClient(**address), "cy"), 2)
    assert not Account.objects.filter(handle="cy").exists()
    assert sign_up(CommitClient(), "cy").status_code == 201  # another address
    page = CommitClient(**address).post(
        "/signup", {"email": "dee@example.com", "password": PASSWORD, "handle": "dee", "display_name": "Dee"}
    )
    assert "Too many sign-ups" in page.content.decode()
    assert not Account.objects.filter(handle="dee").exists()
