"""The person's own collections: ``/api/v1/bookmarks``, ``/favourites`` (paged by the save/like), ``/blocks``
and ``/mutes`` (paged by the block/mute), with ``Link`` headers and scopes."""

from __future__ import annotations

import pytest

from spool.identities.services import (
    block_account,
    follow_account,
    mute_account,
    update_profile,
)
from spool.posts.models import Like
from spool.posts.services import create_post, like_post, save_post
from tests.api.mastodon.shapes import assert_shape


@pytest.mark.parametrize(
    ("path", "act"), [("/api/v1/bookmarks", save_post), ("/api/v1/favourites", like_post)]
)
def test_saved_and_liked_statuses_newest_action_first(mastodon, path, act):
    ana, bo = mastodon("ana"), mastodon("bo")
    old, new, later_hidden = (create_post(bo.account, text=f"post {n}") for n in range(3))
    act(ana.account, new.id)
    act(ana.account, old.id)  # acted on last: first in the list
    act(ana.account, later_hidden.id)
    update_profile(bo.account, is_private=True)
    follow_account(ana.account, bo.account)  # a request only: bo's posts are hidden now
    assert ana.get(path).json() == []
    update_profile(bo.account, is_private=False)
    statuses = ana.get(path).json()
    assert_shape("Status", statuses)
    assert [s["id"] for s in statuses] == [str(later_hidden.id), str(old.id), str(new.id)]
    page = ana.get(path, limit=2)
    assert len(page.json()) == 2 and 'rel="next"' in page["Link"]
    following = ana.get(path, limit=2, max_id=page["Link"].split("max_id=")[1].split(">")[0]).json()
    assert [s["id"] for s in following] == [str(new.id)]


def test_favourites_min_id_and_since_id_page_by_the_like(mastodon):
    """The same selection as the Liked feed (spool.feeds.custom.selection.interactions), in Mastodon's window:
    ``min_id`` gives the likes just newer than it (newest first), ``since_id`` the newest ones above it."""
    ana, bo = mastodon("ana"), mastodon("bo")
    posts = [create_post(bo.account, text=f"post {n}") for n in range(4)]
    for post in posts:
        like_post(ana.account, post.id)
    likes = list(Like.objects.filter(account=ana.account).order_by("id").values_list("id", flat=True))
    ids = [str(p.id) for p in posts]
    assert [s["id"] for s in ana.get("/api/v1/favourites", min_id=likes[0], limit=2).json()] == [
        ids[2],
        ids[1],
    ]
    assert [s["id"] for s in ana.get("/api/v1/favourites", since_id=likes[0], limit=2).json()] == [
        ids[3],
        ids[2],
    ]


def test_blocks_and_mutes_list_accounts(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    block_account(ana.account, bo.account)
    block_account(ana.account, cy.account)
    mute_account(ana.account, cy.account)
    blocks = ana.get("/api/v1/blocks").json()
    assert_shape("Account", blocks)
    assert [a["acct"] for a in blocks] == ["cy", "bo"]
    assert 'rel="next"' in ana.get("/api/v1/blocks", limit=1)["Link"]
    mutes = ana.get("/api/v1/mutes").json()
    assert_shape("MutedAccount", mutes)
    assert [(a["acct"], a["mute_expires_at"]) for a in mutes] == [("cy", None)]
    assert mastodon("follow", scopes="follow").get("/api/v1/mutes").status_code == 200


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/api/v1/bookmarks", "read:bookmarks"),
        ("/api/v1/favourites", "read:favourites"),
        ("/api/v1/blocks", "read:blocks"),
        ("/api/v1/mutes", "read:mutes"),
    ],
)
def test_scopes(mastodon, anon, path, scope):
    assert mastodon("ana", scopes=scope).get(path).status_code == 200
    assert mastodon("ana", scopes="read:statuses").get(path).status_code == 403
    assert anon.get(path).status_code == 401
    assert mastodon("ana").get(path, max_id="x").status_code == 422
