"""``/api/v1/statuses`` through HTTP with bearer tokens: posting (forms and JSON, idempotency keys),
reading, threads, edits with history and source, deletion, actions and the lists about a status."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from conftest import CommitClient
from spool.api.common import idempotency
from spool.identities.services import update_profile
from spool.notifications.models import Notification
from spool.posts.models import ConversationMute, Like, PinnedPost, Post, PostEdit, Repost, Save
from tests.api.mastodon.helpers import ok, png
from tests.api.mastodon.shapes import assert_shape

STATUSES = "/api/v1/statuses"


def post(caller: Any, text: str = "hello", **fields: Any) -> dict[str, Any]:
    return ok(caller.post(STATUSES, {"status": text, **fields}))


def upload(caller: Any, description: str = "") -> str:
    return ok(caller.client.post("/api/v2/media", {"file": png(), "description": description}))["id"]


# --- Posting ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_post_a_poll_with_a_form(mastodon: Any, encoding: str) -> None:
    ana = mastodon("ana")
    form = {"status": "Tea or coffee?", "poll[options][]": ["tea", "coffee"], "poll[expires_in]": "86400"}
    if encoding == "multipart":
        response = ana.form("post", STATUSES, form)
    else:
        response = ana.client.post(
            STATUSES, urlencode(form, doseq=True), content_type="application/x-www-form-urlencoded"
        )
    data = ok(response)
    assert_shape("Status", data)
    assert data["content"] == "<p>Tea or coffee?</p>"
    assert [o["title"] for o in data["poll"]["options"]] == ["tea", "coffee"]
    assert data["poll"]["multiple"] is False
    assert data["account"]["username"] == "ana"


def test_post_with_media_warning_topic_and_reply_control(mastodon: Any) -> None:
    ana = mastodon("ana")
    media_id = upload(ana, "a green square")
    data = post(
        ana,
        "No spoilers please",
        media_ids=[media_id],
        sensitive=True,
        spoiler_text="plot",
        spool={"topic": "Film Club", "reply_control": "followers_only"},
    )
    assert_shape("Status", data)
    assert data["media_attachments"][0]["id"] == media_id
    assert data["media_attachments"][0]["description"] == "a green square"
    assert data["sensitive"] is True
    assert data["spoiler_text"] == "Spoiler"
    assert data["spool"]["spoilers"] == [[0, len("No spoilers please")]]
    assert data["tags"][0]["name"] == "Film Club"
    assert data["spool"]["reply_control"] == "followers_only"
    stored = Post.objects.get(pk=data["id"])
    assert stored.media_spoiler is True and stored.topic.display == "Film Club"


def test_reply_and_quote(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    original = post(ana, "first")
    reply = post(bo, "a reply", in_reply_to_id=original["id"])
    quote = post(bo, "look at this", quoted_status_id=original["id"])
    assert reply["in_reply_to_id"] == original["id"]
    assert reply["in_reply_to_account_id"] == original["account"]["id"]
    assert quote["quote"]["state"] == "accepted"
    assert quote["quote"]["quoted_status"]["id"] == original["id"]
    again = ok(ana.get(f"{STATUSES}/{original['id']}"))
    assert again["replies_count"] == 1 and again["quotes_count"] == 1


def test_idempotency_key_returns_the_first_status(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    first = ok(ana.post(STATUSES, {"status": "once"}, HTTP_IDEMPOTENCY_KEY="key-1"))
    second = ok(ana.post(STATUSES, {"status": "once"}, HTTP_IDEMPOTENCY_KEY="key-1"))
    assert first == second
    assert Post.objects.filter(author__handle="ana").count() == 1
    other_key = ok(ana.post(STATUSES, {"status": "once"}, HTTP_IDEMPOTENCY_KEY="key-2"))
    assert other_key["id"] != first["id"]
    other_account = ok(bo.post(STATUSES, {"status": "once"}, HTTP_IDEMPOTENCY_KEY="key-1"))
    assert other_account["id"] != first["id"]
    assert Post.objects.count() == 3


def test_a_refused_post_keeps_no_idempotency_key(mastodon: Any) -> None:
    ana = mastodon("ana")
    refused = ana.post(STATUSES, {"status": "x" * 501}, HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 422
    assert ok(ana.post(STATUSES, {"status": "fixed"}, HTTP_IDEMPOTENCY_KEY="k"))["content"] == "<p>fixed</p>"


def test_a_retry_while_the_first_request_runs_is_409(mastodon: Any) -> None:
    ana = mastodon("ana")
    # The first request with this key is still running (it holds the key as pending).
    cache.add(idempotency._cache_key("statuses", ana.account.pk, "busy"), "pending", timeout=60)
    waited = idempotency.WAIT_SECONDS
    idempotency.WAIT_SECONDS = 0.1
    try:
        response = ana.post(STATUSES, {"status": "twice?"}, HTTP_IDEMPOTENCY_KEY="busy")
    finally:
        idempotency.WAIT_SECONDS = waited
    assert response.status_code == 409
    assert not Post.objects.exists()
    too_long = ana.post(STATUSES, {"status": "hi"}, HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert too_long.status_code == 422 and not Post.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"status": "x" * 501},
        {"status": ""},
        {"status": "hi", "visibility": "direct"},
        {"status": "hi", "visibility": "private"},  # a public profile can't post to followers only
        {"status": "hi", "visibility": "galaxy"},
        {"status": "hi", "poll": {"options": ["a", "b"], "multiple": True}},
        {"status": "hi", "poll": {"options": ["a"]}},
        {"status": "hi", "media_ids": ["not-a-number"]},
        {"status": "hi", "scheduled_at": "2030-01-01T00:00:00Z"},
        {"status": "hi", "spool": {"spoilers": [[0, 99]]}},
        {"status": "hi", "spool": {"reply_control": "nobody-at-all"}},
    ],
)
def test_malformed_posts_are_422_and_write_nothing(mastodon: Any, body: dict[str, Any]) -> None:
    response = mastodon("ana").post(STATUSES, body)
    assert response.status_code == 422, response.content
    assert_shape("Error", response.json())
    assert Post.objects.count() == 0


def test_posting_needs_a_token_with_write_statuses(mastodon: Any, db: None) -> None:
    assert CommitClient().post(STATUSES, {"status": "hi"}).status_code == 401
    response = mastodon("ana", scopes="read write:media").post(STATUSES, {"status": "hi"})
    assert response.status_code == 403
    assert response.json()["error"] == "This action is outside the authorized scopes"
    assert mastodon(None).post(STATUSES, {"status": "hi"}).status_code == 422  # an app token is nobody
    assert Post.objects.count() == 0


def test_someone_elses_media_cannot_be_attached(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    media_id = upload(ana)
    assert bo.post(STATUSES, {"status": "mine now", "media_ids": [media_id]}).status_code == 422
    assert Post.objects.count() == 0


def test_private_profiles_post_to_followers(mastodon: Any) -> None:
    cy = mastodon("cy")
    update_profile(cy.account, is_private=True)
    data = post(cy, "followers only", visibility="private")
    assert data["visibility"] == "private"
    assert CommitClient().get(f"{STATUSES}/{data['id']}").status_code == 404
    assert mastodon("bo").get(f"{STATUSES}/{data['id']}").status_code == 404


# --- Reading --------------------------------------------------------------------------------------------


def test_public_statuses_are_readable_without_a_token(mastodon: Any) -> None:
    data = post(mastodon("ana"), "hello world")
    anonymous = ok(CommitClient().get(f"{STATUSES}/{data['id']}"))
    assert_shape("Status", anonymous)
    assert anonymous["id"] == data["id"]
    for missing in ("123", "not-a-number", "-1"):
        assert CommitClient().get(f"{STATUSES}/{missing}").status_code == 404


def test_several_statuses_by_id(mastodon: Any) -> None:
    ana = mastodon("ana")
    one, two = post(ana, "one"), post(ana, "two")
    found = ok(ana.client.get(STATUSES, {"id[]": [two["id"], "999", one["id"], "x"]}))
    assert [s["id"] for s in found] == [two["id"], one["id"]]


def test_context(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    root = post(ana, "root")
    middle = post(bo, "middle", in_reply_to_id=root["id"])
    leaf = post(ana, "leaf", in_reply_to_id=middle["id"])
    side = post(bo, "side", in_reply_to_id=root["id"])
    data = ok(bo.get(f"{STATUSES}/{middle['id']}/context"))
    assert_shape("Context", data)
    assert [s["id"] for s in data["ancestors"]] == [root["id"]]
    assert [s["id"] for s in data["descendants"]] == [leaf["id"]]
    whole = ok(CommitClient().get(f"{STATUSES}/{root['id']}/context"))
    assert [s["id"] for s in whole["descendants"]] == [middle["id"], leaf["id"], side["id"]]


# --- Editing and deleting -------------------------------------------------------------------------------


def test_edit_with_history_and_source(mastodon: Any) -> None:
    ana = mastodon("ana")
    data = post(ana, "frist post", spool={"topic": "Typos"})
    edited = ok(ana.put(f"{STATUSES}/{data['id']}", {"status": "first post"}))
    assert_shape("Status", edited)
    assert edited["content"] == "<p>first post</p>"
    assert edited["edited_at"] is not None
    assert edited["tags"][0]["name"] == "Typos"  # the topic stays unless spool[topic] changes it
    history = ok(ana.get(f"{STATUSES}/{data['id']}/history"))
    assert_shape("StatusEdit", history)
    assert [h["content"] for h in history] == ["<p>frist post</p>", "<p>first post</p>"]
    source = ok(ana.get(f"{STATUSES}/{data['id']}/source"))
    assert_shape("StatusSource", source)
    assert source["text"] == "first post"


def test_editing_refusals_change_nothing(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    media_id = upload(ana)
    data = post(ana, "with a picture", media_ids=[media_id])
    path = f"{STATUSES}/{data['id']}"
    assert bo.put(path, {"status": "hijacked"}).status_code == 404
    assert bo.get(f"{path}/source").status_code == 404
    assert ana.put(path, {"status": "x" * 501}).status_code == 422
    assert ana.put(path, {"status": "new picture", "media_ids": []}).status_code == 422
    assert mastodon("ana", scopes="read").put(path, {"status": "nope"}).status_code == 403
    assert Post.objects.get(pk=data["id"]).text == "with a picture"
    assert PostEdit.objects.count() == 0


def test_delete_returns_the_text_for_redraft(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    data = post(ana, "delete me")
    path = f"{STATUSES}/{data['id']}"
    assert bo.delete(path).status_code == 404
    assert Post.objects.filter(pk=data["id"]).exists()
    deleted = ok(ana.delete(path))
    assert_shape("Status", deleted)
    assert deleted["text"] == "delete me"
    assert not Post.objects.filter(pk=data["id"]).exists()
    assert ana.get(path).status_code == 404


# --- Actions --------------------------------------------------------------------------------------------


def test_favourite_reblog_bookmark_and_the_lists(mastodon: Any) -> None:
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    data = post(ana, "like and boost me")
    path = f"{STATUSES}/{data['id']}"

    liked = ok(bo.post(f"{path}/favourite"))
    assert liked["favourited"] is True and liked["favourites_count"] == 1
    ok(cy.post(f"{path}/favourite"))
    wrapper = ok(bo.post(f"{path}/reblog"))
    assert_shape("Status", wrapper)
    assert wrapper["reblog"]["id"] == data["id"] and wrapper["account"]["username"] == "bo"
    assert wrapper["reblog"]["reblogged"] is True
    assert wrapper["id"] == str(Repost.objects.get().id)
    marked = ok(bo.post(f"{path}/bookmark"))
    assert marked["bookmarked"] is True

    response = ana.client.get(f"{path}/favourited_by", {"limit": 1})
    first_page = ok(response)
    assert [a["username"] for a in first_page] == ["cy"]
    assert 'rel="next"' in response["Link"]
    next_url = response["Link"].split(">")[0].lstrip("<")
    assert [a["username"] for a in ok(ana.client.get(next_url))] == ["bo"]
    assert [a["username"] for a in ok(CommitClient().get(f"{path}/reblogged_by"))] == ["bo"]

    by_reblog_id = ok(CommitClient().get(f"{STATUSES}/{wrapper['id']}"))
    assert by_reblog_id["id"] == wrapper["id"] and by_reblog_id["reblog"]["id"] == data["id"]

    assert ok(bo.post(f"{path}/unfavourite"))["favourites_count"] == 1
    assert ok(bo.post(f"{path}/unreblog"))["reblogged"] is False
    assert ok(bo.post(f"{path}/unbookmark"))["bookmarked"] is False
    assert not Save.objects.exists() and not Repost.objects.exists()
    assert Like.objects.count() == 1


def test_actions_need_their_scopes_and_a_visible_status(mastodon: Any) -> None:
    ana = mastodon("ana")
    data = post(ana, "scoped")
    path = f"{STATUSES}/{data['id']}"
    assert mastodon("bo", scopes="write:statuses").post(f"{path}/favourite").status_code == 403
    assert mastodon("bo", scopes="write:favourites").post(f"{path}/bookmark").status_code == 403
    assert mastodon("bo").post(f"{STATUSES}/12345/favourite").status_code == 404
    assert not Like.objects.exists() and not Save.objects.exists()


def test_pins_are_own_posts_and_at_most_five(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    theirs = post(bo, "not yours")
    assert ana.post(f"{STATUSES}/{theirs['id']}/pin").status_code == 422
    mine = [post(ana, f"post {i}") for i in range(6)]
    for item in mine[:5]:
        assert ok(ana.post(f"{STATUSES}/{item['id']}/pin"))["pinned"] is True
    assert ana.post(f"{STATUSES}/{mine[5]['id']}/pin").status_code == 422
    assert PinnedPost.objects.count() == 5
    assert mastodon("ana", scopes="write:statuses").post(f"{STATUSES}/{mine[5]['id']}/pin").status_code == 403
    assert ok(ana.post(f"{STATUSES}/{mine[0]['id']}/unpin"))["pinned"] is False
    pinned = ok(bo.client.get(f"/api/v1/accounts/{ana.account.pk}/statuses", {"pinned": "true"}))
    assert sorted(s["id"] for s in pinned) == sorted(item["id"] for item in mine[1:5])


def test_muting_a_conversation_stops_its_notifications(mastodon: Any) -> None:
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    root = post(ana, "a busy thread")
    reply = post(bo, "my two cents", in_reply_to_id=root["id"])
    muted = ok(bo.post(f"{STATUSES}/{reply['id']}/mute"))
    assert muted["muted"] is True
    assert ConversationMute.objects.filter(account=bo.account, root_id=root["id"]).exists()

    post(cy, "replying to bo", in_reply_to_id=reply["id"])
    ok(cy.post(f"{STATUSES}/{reply['id']}/favourite"))
    assert not Notification.objects.filter(recipient=bo.account).exists()
    assert Notification.objects.filter(recipient=ana.account).exists()  # ana did not mute it

    assert ok(bo.post(f"{STATUSES}/{root['id']}/unmute"))["muted"] is False
    post(cy, "again", in_reply_to_id=reply["id"])
    assert Notification.objects.filter(recipient=bo.account, kind="reply").count() == 1


def test_quotes_of_a_status(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    original = post(ana, "quotable")
    first = post(bo, "quote one", quoted_status_id=original["id"])
    second = post(ana, "quote two", quoted_status_id=original["id"])
    post(bo, "unrelated")
    quotes = ok(bo.get(f"{STATUSES}/{original['id']}/quotes"))
    assert [q["id"] for q in quotes] == [second["id"], first["id"]]
    assert_shape("Status", quotes)
