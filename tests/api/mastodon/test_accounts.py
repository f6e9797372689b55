"""``/api/v1/accounts`` through HTTP with bearer tokens: one's own account (read and update), other
accounts, their statuses with Mastodon's filters, follower lists, the social graph and search."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext

from conftest import CommitClient
from spool.identities.models import Account, Block, Follow, FollowRequest, Mute
from spool.identities.services import block_account, follow_account, update_profile
from spool.posts.services import create_post, repost_post, upload_media
from tests.api.mastodon.helpers import ok, png
from tests.api.mastodon.shapes import assert_shape

ACCOUNTS = "/api/v1/accounts"


# --- One's own account ------------------------------------------------------------------------------------


def test_verify_credentials(mastodon: Any) -> None:
    ana = mastodon("ana")
    data = ok(ana.get(f"{ACCOUNTS}/verify_credentials"))
    assert_shape("CredentialAccount", data)
    assert data["username"] == "ana" and data["source"]["privacy"] == "public"
    profile_only = mastodon("ana", scopes="profile")
    assert ok(profile_only.get(f"{ACCOUNTS}/verify_credentials"))["id"] == data["id"]
    assert mastodon("ana", scopes="write").get(f"{ACCOUNTS}/verify_credentials").status_code == 403
    assert CommitClient().get(f"{ACCOUNTS}/verify_credentials").status_code == 401


def test_update_credentials_with_a_form(mastodon: Any) -> None:
    ana = mastodon("ana")
    body = {
        "display_name": "Ana B.",
        "note": "Gardens and #books",
        "locked": "true",
        "fields_attributes[0][name]": "Blog",
        "fields_attributes[0][value]": "https://ana.example/blog",
        "fields_attributes[1][name]": "",
        "fields_attributes[1][value]": "",
        "avatar": png(40, 30),
        "bot": "false",
    }
    response = ana.client.patch(
        f"{ACCOUNTS}/update_credentials", encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT
    )
    data = ok(response)
    assert_shape("CredentialAccount", data)
    assert data["display_name"] == "Ana B." and data["locked"] is True
    assert data["source"]["note"] == "Gardens and #books"
    assert data["source"]["fields"] == [
        {"name": "Blog", "value": "https://ana.example/blog", "verified_at": None}
    ]
    assert "/media/avatars/" in data["avatar"]
    stored = Account.objects.get(handle="ana")
    assert stored.is_private and stored.avatar and stored.links[0]["title"] == "Blog"


def test_update_credentials_with_json(mastodon: Any) -> None:
    ana = mastodon("ana")
    data = ok(ana.patch(f"{ACCOUNTS}/update_credentials", {"display_name": "A", "fields_attributes": []}))
    assert data["display_name"] == "A" and data["fields"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"display_name": "x" * 51},
        {"note": "x" * 151},
        {"locked": "maybe"},
        {"fields_attributes": [{"name": "site", "value": "not a url at all"}]},
        {
            "display_name": "fine",
            "fields_attributes": [{"name": str(i), "value": f"https://e.x/{i}"} for i in range(6)],
        },
    ],
)
def test_bad_profile_updates_change_nothing(mastodon: Any, body: dict[str, Any]) -> None:
    ana = mastodon("ana")
    response = ana.patch(f"{ACCOUNTS}/update_credentials", body)
    assert response.status_code == 422, response.content
    stored = Account.objects.get(handle="ana")
    assert (stored.display_name, stored.bio, stored.is_private, stored.links) == ("", "", False, [])


def test_a_bad_avatar_changes_nothing(mastodon: Any) -> None:
    ana = mastodon("ana")
    bogus = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    response = ana.client.patch(
        f"{ACCOUNTS}/update_credentials",
        encode_multipart(BOUNDARY, {"display_name": "New", "avatar": bogus}),
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 422
    stored = Account.objects.get(handle="ana")
    assert stored.display_name == "" and not stored.avatar
    assert (
        mastodon("ana", scopes="read").patch(f"{ACCOUNTS}/update_credentials", {"note": "x"}).status_code
        == 403
    )


# --- Other accounts ---------------------------------------------------------------------------------------


def test_get_and_lookup(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    data = ok(CommitClient().get(f"{ACCOUNTS}/{ana.account.pk}"))
    assert_shape("Account", data)
    assert data["acct"] == "ana"
    assert ok(bo.client.get(f"{ACCOUNTS}/lookup", {"acct": "@ana"}))["id"] == data["id"]
    assert ok(bo.client.get(f"{ACCOUNTS}/lookup", {"acct": "ana@127.0.0.1:8000"}))["id"] == data["id"]
    assert bo.client.get(f"{ACCOUNTS}/lookup", {"acct": "ana@elsewhere.example"}).status_code == 404
    assert bo.get(f"{ACCOUNTS}/999").status_code == 404
    assert bo.get(f"{ACCOUNTS}/nope").status_code == 404
    block_account(ana.account, bo.account)
    assert bo.get(f"{ACCOUNTS}/{ana.account.pk}").status_code == 404


def test_featured_tags_and_identity_proofs_are_empty(mastodon: Any) -> None:
    ana = mastodon("ana")
    assert ok(CommitClient().get(f"{ACCOUNTS}/{ana.account.pk}/featured_tags")) == []
    assert ok(ana.get(f"{ACCOUNTS}/{ana.account.pk}/identity_proofs")) == []
    assert ana.get(f"{ACCOUNTS}/404/featured_tags").status_code == 404
    assert CommitClient().get(f"{ACCOUNTS}/{ana.account.pk}/identity_proofs").status_code == 401


def test_account_statuses_and_filters(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    a, b = ana.account, bo.account
    plain = create_post(a, text="plain")
    media = upload_media(a, png(40, 30))
    pictured = create_post(a, text="with a picture", media_ids=[media.id])
    topical = create_post(a, text="about books", topic="Books")
    theirs = create_post(b, text="bo's post")
    reply = create_post(a, text="a reply", reply_to_id=theirs.id)
    repost_post(a, theirs.id)
    path = f"{ACCOUNTS}/{a.pk}/statuses"

    def ids(**params: Any) -> list[str]:
        found = ok(bo.client.get(path, params))
        assert_shape("Status", found)
        return [s["reblog"]["id"] if s["reblog"] else s["id"] for s in found]

    assert ids() == [str(theirs.id), str(reply.id), str(topical.id), str(pictured.id), str(plain.id)]
    assert ids(exclude_replies="true", exclude_reblogs="true") == [
        str(topical.id),
        str(pictured.id),
        str(plain.id),
    ]
    assert ids(only_media="true") == [str(pictured.id)]
    assert ids(tagged="books") == [str(topical.id)]
    assert ids(tagged="nothing-like-this") == []
    assert ids(limit=2) == [str(theirs.id), str(reply.id)]
    assert ids(max_id=str(topical.id)) == [str(pictured.id), str(plain.id)]
    assert ids(min_id=str(pictured.id), limit=1) == [str(topical.id)]
    response = bo.client.get(path, {"limit": 2})
    assert f"max_id={reply.id}" in response["Link"]


def test_a_private_accounts_statuses_and_lists_are_for_followers(mastodon: Any) -> None:
    cy, bo = mastodon("cy"), mastodon("bo")
    update_profile(cy.account, is_private=True)
    create_post(cy.account, text="secret")
    path = f"{ACCOUNTS}/{cy.account.pk}"
    assert ok(bo.get(f"{path}/statuses")) == []
    assert ok(CommitClient().get(f"{path}/followers")) == []
    assert ok(cy.get(f"{path}/statuses"))[0]["content"] == "<p>secret</p>"


def test_followers_and_following_pages(mastodon: Any) -> None:
    ana = mastodon("ana")
    others = [mastodon(f"fan{i}") for i in range(3)]
    for other in others:
        follow_account(other.account, ana.account)
    follow_account(ana.account, others[0].account)
    response = CommitClient().get(f"{ACCOUNTS}/{ana.account.pk}/followers", {"limit": 2})
    first = ok(response)
    assert_shape("Account", first)
    assert [a["username"] for a in first] == ["fan2", "fan1"]
    next_url = response["Link"].split(">")[0].lstrip("<")
    assert [a["username"] for a in ok(CommitClient().get(next_url))] == ["fan0"]
    assert [a["username"] for a in ok(ana.get(f"{ACCOUNTS}/{ana.account.pk}/following"))] == ["fan0"]


# --- The social graph ---------------------------------------------------------------------------------


def test_follow_unfollow_and_relationships(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    path = f"{ACCOUNTS}/{bo.account.pk}"
    followed = ok(ana.post(f"{path}/follow", {"reblogs": True, "notify": False}))
    assert_shape("Relationship", followed)
    assert followed["following"] is True and followed["id"] == str(bo.account.pk)
    relationships = ok(bo.client.get(f"{ACCOUNTS}/relationships", {"id[]": [ana.account.pk, 999]}))
    assert_shape("Relationship", relationships)
    assert [(r["id"], r["followed_by"]) for r in relationships] == [(str(ana.account.pk), True)]
    assert ok(ana.post(f"{path}/unfollow"))["following"] is False
    assert not Follow.objects.exists()


def test_following_a_private_account_requests(mastodon: Any) -> None:
    ana, cy = mastodon("ana"), mastodon("cy")
    update_profile(cy.account, is_private=True)
    data = ok(ana.post(f"{ACCOUNTS}/{cy.account.pk}/follow"))
    assert data["requested"] is True and data["following"] is False
    assert FollowRequest.objects.filter(requester=ana.account, target=cy.account).exists()


def test_remove_from_followers(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    follow_account(bo.account, ana.account)
    data = ok(ana.post(f"{ACCOUNTS}/{bo.account.pk}/remove_from_followers"))
    assert data["followed_by"] is False
    assert not Follow.objects.exists()


def test_block_mute_and_their_undoing(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    path = f"{ACCOUNTS}/{bo.account.pk}"
    follow_account(ana.account, bo.account)
    blocked = ok(ana.post(f"{path}/block"))
    assert blocked["blocking"] is True and blocked["following"] is False
    assert ok(ana.post(f"{path}/block"))["blocking"] is True  # again: still found, nothing changes
    assert ok(ana.client.get(f"{ACCOUNTS}/relationships", {"id[]": bo.account.pk}))[0]["blocking"] is True
    assert bo.post(f"{ACCOUNTS}/{ana.account.pk}/follow").status_code == 404  # the blocked see nothing
    assert ok(ana.post(f"{path}/unblock"))["blocking"] is False
    muted = ok(ana.post(f"{path}/mute", {"notifications": True, "duration": 0}))
    assert muted["muting"] is True and muted["muting_notifications"] is True
    assert ok(ana.post(f"{path}/unmute"))["muting"] is False
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_graph_refusals_write_nothing(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    path = f"{ACCOUNTS}/{bo.account.pk}"
    assert mastodon("ana", scopes="read write:blocks").post(f"{path}/follow").status_code == 403
    assert mastodon("ana", scopes="write:follows").post(f"{path}/block").status_code == 403
    assert mastodon("ana", scopes="write:blocks").post(f"{path}/mute").status_code == 403
    assert ana.post(f"{ACCOUNTS}/{ana.account.pk}/follow").status_code == 422
    assert ana.post(f"{path}/mute", {"duration": -5}).status_code == 422
    assert ana.post(f"{ACCOUNTS}/424242/follow").status_code == 404
    assert CommitClient().post(f"{path}/follow").status_code == 401
    assert not (Follow.objects.exists() or Block.objects.exists() or Mute.objects.exists())


def test_familiar_followers(mastodon: Any) -> None:
    ana, bo, cy, dee = mastodon("ana"), mastodon("bo"), mastodon("cy"), mastodon("dee")
    follow_account(ana.account, bo.account)
    follow_account(ana.account, cy.account)
    follow_account(bo.account, dee.account)
    follow_account(cy.account, dee.account)
    data = ok(ana.client.get(f"{ACCOUNTS}/familiar_followers", {"id[]": [dee.account.pk, bo.account.pk]}))
    assert_shape("FamiliarFollowers", data)
    assert data[0]["id"] == str(dee.account.pk)
    assert sorted(a["username"] for a in data[0]["accounts"]) == ["bo", "cy"]
    assert data[1]["accounts"] == []


def test_search(mastodon: Any) -> None:
    ana = mastodon("ana")
    for handle in ("anabel", "banana", "zed"):
        mastodon(handle)
    update_profile(Account.objects.get(handle="zed"), display_name="Ana's friend")
    found = ok(ana.client.get(f"{ACCOUNTS}/search", {"q": "@ana", "limit": 5}))
    assert_shape("Account", found)
    assert found[0]["username"] == "ana"
    assert {a["username"] for a in found} == {"ana", "anabel", "zed"}
    follow_account(ana.account, Account.objects.get(handle="anabel"))
    following = ok(ana.client.get(f"{ACCOUNTS}/search", {"q": "ana", "following": "true"}))
    assert [a["username"] for a in following] == ["anabel"]
    assert ana.client.get(f"{ACCOUNTS}/search", {"q": "ana", "limit": "lots"}).status_code == 422
    assert ana.client.get(f"{ACCOUNTS}/search").status_code == 422
    assert mastodon("ana", scopes="write").client.get(f"{ACCOUNTS}/search", {"q": "a"}).status_code == 403


def _statuses_queries(caller: Any, account: Account, limit: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        found = ok(caller.client.get(f"{ACCOUNTS}/{account.pk}/statuses", {"limit": limit}))
    assert len(found) == limit
    return len(captured.captured_queries)


def test_account_statuses_cost_the_same_for_5_and_40(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    other = create_post(bo.account, text="to quote and repost")
    for i in range(40):
        if i % 5 == 0:
            create_post(ana.account, text=f"poll {i}", poll_options=["a", "b"])
        elif i % 5 == 1:
            create_post(ana.account, text=f"quote {i} @bo", quote_of_id=other.id)
        elif i % 5 == 2:
            create_post(ana.account, text=f"reply {i}", reply_to_id=other.id, topic="Replies")
        elif i % 5 == 3:
            create_post(ana.account, text=f"media {i}", media_ids=[upload_media(ana.account, png()).id])
        else:
            repost_post(ana.account, create_post(bo.account, text=f"reposted {i}").id)
    ok(bo.client.get(f"{ACCOUNTS}/verify_credentials"))  # bo's token is remembered from now on
    small, large = _statuses_queries(bo, ana.account, 5), _statuses_queries(bo, ana.account, 40)
    assert small == large, (small, large)
    # The caller's account, block check, posts, reposts, 7 for the cards, pins and mutes.
    assert large == 13, large
