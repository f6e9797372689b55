"""For You on the native API, over HTTP: the feed with explanations and cursors, feedback on posts, Dear
Algo requests — and every refusal answers 4xx JSON ``{"error", "code", "field"}`` with nothing written."""

from __future__ import annotations

import json

import pytest

from conftest import CommitClient
from spool.feeds.for_you.models import DearAlgoRequest, PostFeedback
from spool.identities.services import block_account, follow_account
from spool.posts.services import create_post

API = "/api/spool/v1/"


@pytest.fixture
def signed_in(people):
    def make(handle):
        account = people(handle)
        client = CommitClient()
        client.force_login(account.user)
        client.account = account
        return client

    return make


def send(client, method, path, data=None):
    return getattr(client, method)(API + path, json.dumps(data or {}), content_type="application/json")


def refused(response, status, code=None, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]
    if code:
        assert body["code"] == code
    if field:
        assert body["field"] == field
    return body


def test_the_feed_explains_every_item_and_pages_by_cursor(signed_in, people):
    ana = signed_in("ana")
    for n in range(3):
        author = people(f"a{n}")
        follow_account(ana.account, author)
        create_post(author, text=f"first {n}")
        create_post(author, text=f"second {n}")
    first = ana.get(API + "feeds/for-you", {"limit": 4}).json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    for item in first["items"]:
        assert item["explanation"]["summary"].startswith("You follow @a")
        assert item["explanation"]["reasons"][0] == {
            "code": "follows_author",
            "text": item["explanation"]["summary"],
        }
        assert item["author"]["handle"].startswith("a") and item["text"]
    rest = ana.get(API + "feeds/for-you", {"cursor": first["next_cursor"], "limit": 4}).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    seen = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(seen)) == 6


def test_feed_refusals(signed_in, anon):
    ana = signed_in("ana")
    refused(ana.get(API + "feeds/for-you", {"cursor": "not-a-cursor"}), 422, "invalid_cursor", "cursor")
    refused(ana.get(API + "feeds/for-you", {"limit": "lots"}), 422)
    assert anon.get(API + "feeds/for-you").status_code == 401


def test_feedback_steers_and_undoes(signed_in, people):
    ana, bo = signed_in("ana"), people("bo")
    follow_account(ana.account, bo)
    post = create_post(bo, text="meh")
    assert [i["id"] for i in ana.get(API + "feeds/for-you").json()["items"]] == [str(post.id)]
    answer = send(ana, "post", f"posts/{post.id}/feedback", {"kind": "not_interested"})
    assert answer.status_code == 200 and answer.json()["kind"] == "not_interested"
    assert ana.get(API + "feeds/for-you").json()["items"] == []
    assert ana.delete(API + f"posts/{post.id}/feedback").status_code == 204
    assert [i["id"] for i in ana.get(API + "feeds/for-you").json()["items"]] == [str(post.id)]
    refused(ana.delete(API + f"posts/{post.id}/feedback"), 404, "not_found")


def test_feedback_refusals_write_nothing(signed_in, people):
    ana, bo, cy = signed_in("ana"), people("bo"), people("cy")
    post = create_post(bo, text="hi")
    own = create_post(ana.account, text="mine")
    block_account(cy, ana.account)
    hidden = create_post(cy, text="hidden from ana")
    refused(send(ana, "post", "posts/999999/feedback", {"kind": "less"}), 404, "not_found")
    refused(send(ana, "post", f"posts/{hidden.id}/feedback", {"kind": "less"}), 404, "not_found")
    refused(send(ana, "post", "posts/abc/feedback", {"kind": "less"}), 404)
    refused(send(ana, "post", f"posts/{post.id}/feedback", {"kind": "meh"}), 422, "invalid_kind", "kind")
    refused(send(ana, "post", f"posts/{post.id}/feedback", {"kind": 3}), 422)
    refused(send(ana, "post", f"posts/{post.id}/feedback", {}), 422)
    refused(send(ana, "post", f"posts/{post.id}/feedback", {"kind": "less", "x": 1}), 422)
    refused(send(ana, "post", f"posts/{own.id}/feedback", {"kind": "less"}), 422, "own_post")
    assert not PostFeedback.objects.exists()


def test_dear_algo_crud(signed_in):
    ana = signed_in("ana")
    made = send(ana, "post", "dear-algo", {"text": "Dear Algo, more cycling and less politics"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["more"] == ["cycling"] and body["less"] == ["politics"] and not body["revoked"]
    assert [r["id"] for r in ana.get(API + "dear-algo").json()] == [body["id"]]
    assert (
        ana.get(API + f"dear-algo/{body['id']}").json()["text"] == "Dear Algo, more cycling and less politics"
    )
    assert ana.delete(API + f"dear-algo/{body['id']}").status_code == 204
    assert ana.get(API + "dear-algo").json() == []
    assert ana.get(API + f"dear-algo/{body['id']}").json()["revoked"] is True


def test_dear_algo_refusals_write_nothing(signed_in):
    ana, bo = signed_in("ana"), signed_in("bo")
    theirs = send(bo, "post", "dear-algo", {"text": "more jazz"}).json()
    refused(send(ana, "post", "dear-algo", {"text": "x" * 281}), 422, "too_long", "text")
    refused(send(ana, "post", "dear-algo", {"text": "   "}), 422, "blank", "text")
    refused(send(ana, "post", "dear-algo", {"text": "hello there"}), 422, "not_understood", "text")
    refused(send(ana, "post", "dear-algo", {"text": ["more jazz"]}), 422)
    refused(send(ana, "post", "dear-algo", {}), 422)
    refused(ana.get(API + f"dear-algo/{theirs['id']}"), 404, "not_found")
    refused(ana.delete(API + f"dear-algo/{theirs['id']}"), 404, "not_found")
    refused(ana.delete(API + "dear-algo/nope"), 404)
    assert not DearAlgoRequest.objects.filter(account=ana.account).exists()
    assert DearAlgoRequest.objects.get(id=int(theirs["id"])).revoked_at is None


def test_the_feed_costs_the_same_queries_for_5_or_20_items(signed_in, people, django_assert_num_queries):
    ana = signed_in("ana")
    for n in range(12):
        author = people(f"w{n}")
        follow_account(ana.account, author)
        create_post(author, text=f"post {n}", topic=f"t{n % 4}")
        create_post(author, text=f"second {n}")
    ana.get(API + "feeds/for-you")  # ranks the session
    counts = {}
    for limit in (5, 20):
        with django_assert_num_queries(API_QUERIES) as captured:
            items = ana.get(API + "feeds/for-you", {"limit": limit}).json()["items"]
        assert len(items) == limit
        counts[limit] = len(captured.captured_queries)
    assert counts[5] == counts[20]


# Session, user and account (3), then the warm page (tests/feeds/test_for_you.py pins its parts: 6).
API_QUERIES = 9
