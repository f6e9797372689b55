"""The home timeline's hot path (cached statuses, spool.api.mastodon.entities.cached) answers what the full
renderer answers, and never serves a stale status: edits, deletions, count changes, blocks and mutes,
an author's new name or privacy show at once."""

from __future__ import annotations

from django.test import TestCase

from spool.api.mastodon.entities import render_status_cards
from spool.identities.services import block_account, follow_account, mute_account, update_profile
from spool.posts.services import create_post, like_post, repost_post
from spool.posts.services.edit import delete_post, edit_post
from spool.posts.timelines import home_posts

HOME = "/api/v1/timelines/home"


def _home(caller):
    response = caller.get(HOME, limit=40)
    assert response.status_code == 200
    return response.json()


def _by_id(statuses):
    return {s["id"]: s for s in statuses}


def test_cached_page_equals_the_full_rendering(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        follow_account(ana.account, cy.account)
        posts = [create_post(bo.account, text=f"post {i} #jazz") for i in range(5)]
        create_post(ana.account, text="my own")
        like_post(ana.account, posts[0].id)
        repost_post(cy.account, posts[1].id)
    first = _home(ana)  # fills the cache
    cached = _home(ana)  # served from it
    expected = render_status_cards(ana.account, home_posts(ana.account, None, 40).items)
    assert first == cached == expected
    assert _by_id(cached)[str(posts[0].id)]["favourited"] is True


def test_edit_delete_and_counts_are_never_stale(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        kept = create_post(bo.account, text="before the edit")
        gone = create_post(bo.account, text="soon deleted")
    _home(ana)
    edit_post(bo.account, kept.id, text="after the edit")
    like_post(cy.account, kept.id)
    delete_post(bo.account, gone.id)
    page = _by_id(_home(ana))
    assert str(gone.id) not in page
    assert "after the edit" in page[str(kept.id)]["content"]
    assert page[str(kept.id)]["favourites_count"] == 1
    assert page[str(kept.id)]["edited_at"] is not None


def test_author_changes_blocks_and_mutes_show_at_once(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        follow_account(ana.account, cy.account)
        by_bo = create_post(bo.account, text="by bo")
        by_cy = create_post(cy.account, text="by cy")
    _home(ana)
    update_profile(bo.account, display_name="Bo Renamed")
    page = _by_id(_home(ana))
    assert page[str(by_bo.id)]["account"]["display_name"] == "Bo Renamed"
    mute_account(ana.account, bo.account)
    block_account(ana.account, cy.account)
    page = _by_id(_home(ana))
    assert str(by_bo.id) not in page
    assert str(by_cy.id) not in page
