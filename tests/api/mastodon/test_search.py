"""``/api/v2/search``: accounts, topics as hashtags and statuses; anonymous visitors find accounts and
topics only; parameters checked."""

from __future__ import annotations

import pytest
from django.test import TestCase

from spool.identities.services import block_account, follow_account
from spool.identities.services.word_filters import KeywordChange, create_filter
from spool.posts import services
from tests.api.mastodon.shapes import assert_shape

API = "/api/v2/search"


def create_post(author, **options):
    """A post, searchable once the indexing task it enqueues on commit has run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.create_post(author, **options)


def test_everything_at_once(mastodon):
    ana = mastodon("ana")
    garden = mastodon("gardener", display_name="Green Thumb")
    post = create_post(garden.account, text="My garden in May", topic="Gardening")
    result = ana.get(API, q="garden").json()
    assert_shape("Search", result)
    assert [a["acct"] for a in result["accounts"]] == ["gardener"]
    assert [t["name"] for t in result["hashtags"]] == ["Gardening"]
    assert result["hashtags"][0]["history"][0]["uses"] == "1"
    assert [s["id"] for s in result["statuses"]] == [str(post.id)]


def test_type_limit_offset_following_and_account_id(mastodon):
    ana = mastodon("ana")
    first, second = mastodon("sam1"), mastodon("sam2")
    follow_account(ana.account, second.account)
    create_post(first.account, text="sam says hi")
    mine = create_post(second.account, text="sam says hello")
    only = ana.get(API, q="sam", type="accounts").json()
    assert only["hashtags"] == [] and only["statuses"] == [] and len(only["accounts"]) == 2
    assert len(ana.get(API, q="sam", type="accounts", limit=1, offset=1).json()["accounts"]) == 1
    assert [
        a["acct"] for a in ana.get(API, q="sam", type="accounts", following="true").json()["accounts"]
    ] == ["sam2"]
    statuses = ana.get(API, q="sam says", type="statuses", account_id=second.account.id).json()["statuses"]
    assert [s["id"] for s in statuses] == [str(mine.id)]


def test_anonymous_visitors_find_accounts_and_topics_not_statuses(mastodon, anon):
    bo = mastodon("bo")
    create_post(bo.account, text="bo posts", topic="Bonsai")
    result = anon.get(API, {"q": "bo"}).json()
    assert [a["acct"] for a in result["accounts"]] == ["bo"]
    assert [t["name"] for t in result["hashtags"]] == ["Bonsai"]
    assert result["statuses"] == []


def test_blocks_and_hidden_words_apply(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bob"), mastodon("cy")
    block_account(bo.account, ana.account)
    create_post(bo.account, text="bob on boats")
    create_post(cy.account, text="boats for sale cheap")
    kept = create_post(cy.account, text="boats at dawn")
    create_filter(
        ana.account, title="Ads", context=["public"], action="hide", keywords=[KeywordChange("sale")]
    )
    result = ana.get(API, q="boats").json()
    assert result["accounts"] == []
    assert [s["id"] for s in result["statuses"]] == [str(kept.id)]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x" * 201},
        {"q": "a", "type": "posts"},
        {"q": "a", "limit": "x"},
        {"q": "a", "account_id": "me"},
    ],
)
def test_malformed_parameters_are_422(mastodon, params):
    response = mastodon("ana").get(API, **params)
    assert response.status_code == 422 and response.json()["error"]


def test_scope(mastodon):
    assert mastodon("ana", scopes="read:accounts").get(API, q="a").status_code == 403
    assert mastodon("ana", scopes="read:search").get(API, q="a").status_code == 200
