"""Search: accounts by prefix, topics by prefix, posts by words among what the viewer may see."""

from __future__ import annotations

import pytest

from spool.core.errors import ValidationError
from spool.feeds.search import search_accounts, search_posts, search_topics
from spool.identities.services import block_account, follow_account, mute_account, update_profile
from spool.posts.services import create_post


def test_accounts_by_handle_or_name_prefix_exact_handle_first(people):
    ana = people("ana")
    people("annabel", display_name="Belle")
    people("bo", display_name="Anatole")
    people("zed")
    assert [a.handle for a in search_accounts(None, "@ANA")] == ["ana", "bo"]
    assert {a.handle for a in search_accounts(None, "an")} == {"ana", "annabel", "bo"}
    assert [a.handle for a in search_accounts(None, "ana@example.org")] == ["ana", "bo"]
    follow_account(ana, people("annabel"))
    assert [a.handle for a in search_accounts(ana, "an", following=True)] == ["annabel"]
    assert search_accounts(None, "an", following=True) == []


def test_blocked_accounts_do_not_show(people):
    ana, bo = people("ana"), people("bob")
    block_account(bo, ana)
    assert search_accounts(ana, "bo") == []
    assert [a.handle for a in search_accounts(None, "bo")] == ["bob"]


@pytest.mark.parametrize("q", ["", "   ", None, "x" * 201])
def test_a_blank_or_huge_query_is_refused(people, q):
    with pytest.raises(ValidationError):
        search_accounts(None, q)


def test_topics_by_prefix_most_used_first(people):
    ana = people("ana")
    create_post(ana, text="one", topic="Cooking")
    create_post(ana, text="two", topic="Cooking")
    create_post(ana, text="three", topic="Cookies")
    create_post(ana, text="four", topic="Books")
    assert [t.display for t in search_topics("#cook")] == ["Cooking", "Cookies"]
    assert search_topics("#") == []


def test_posts_with_every_word_that_the_viewer_may_see(people):
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    hit = create_post(ana, text="The Garden is blooming")
    create_post(ana, text="garden only")
    secret = create_post(bo, text="my garden is blooming too")
    update_profile(bo, is_private=True)
    muted = create_post(cy, text="garden blooming everywhere")
    mute_account(ana, cy)
    assert [p.id for p in search_posts(None, "garden BLOOMING")] == [muted.id, hit.id]
    assert [p.id for p in search_posts(ana, "garden blooming")] == [hit.id]
    follow_account(cy, bo)  # a request: bo is private
    assert secret.id not in [p.id for p in search_posts(cy, "garden blooming")]
    assert [p.id for p in search_posts(None, "garden blooming", account_id=ana.id)] == [hit.id]
