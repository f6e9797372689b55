"""``/api/v2/suggestions``: friends of friends and popular accounts, never the followed, blocked, muted or
dismissed; ``DELETE /api/v1/suggestions/:id`` stores a dismissal."""

from __future__ import annotations

from spool.identities.models import SuggestionDismissal
from spool.identities.services import block_account, follow_account, mute_account
from tests.api.mastodon.shapes import assert_shape


def test_friends_of_friends_first_then_popular(mastodon):
    ana, bo, cy, di, star = (mastodon(h) for h in ("ana", "bo", "cy", "di", "star"))
    follow_account(ana.account, bo.account)
    follow_account(bo.account, cy.account)
    for fan in (bo, cy, di):
        follow_account(fan.account, star.account)
    suggestions = ana.get("/api/v2/suggestions").json()
    assert_shape("Suggestion", suggestions)
    by_acct = {s["account"]["acct"]: s["sources"] for s in suggestions}
    assert by_acct == {
        "star": ["friends_of_friends", "most_followed"],
        "cy": ["friends_of_friends", "most_followed"],
    }
    assert [s["account"]["acct"] for s in suggestions] == ["star", "cy"]
    assert [a["acct"] for a in ana.get("/api/v1/suggestions").json()] == ["star", "cy"]


def test_blocked_muted_and_dismissed_accounts_are_not_suggested(mastodon):
    ana, bo, cy, di = (mastodon(h) for h in ("ana", "bo", "cy", "di"))
    for fan in (ana, bo):
        follow_account(fan.account, cy.account)
        follow_account(fan.account, di.account)
    follow_account(bo.account, ana.account)
    eve = mastodon("eve")
    follow_account(bo.account, eve.account)
    follow_account(cy.account, eve.account)
    mute_account(eve.account, bo.account)
    block_account(bo.account, eve.account)  # bo leaves eve's view either way
    mute_account(eve.account, cy.account)
    assert eve.delete(f"/api/v1/suggestions/{di.account.id}").status_code == 200
    assert eve.delete(f"/api/v1/suggestions/{di.account.id}").status_code == 200
    assert SuggestionDismissal.objects.count() == 1
    assert [s["account"]["acct"] for s in eve.get("/api/v2/suggestions").json()] == ["ana"]


def test_dismissing_an_unknown_account_is_404_and_scopes_apply(mastodon, anon):
    ana = mastodon("ana")
    assert ana.delete("/api/v1/suggestions/123").status_code == 404
    assert ana.delete("/api/v1/suggestions/abc").status_code == 404
    assert mastodon("ana", scopes="write").get("/api/v2/suggestions").status_code == 403
    assert anon.get("/api/v2/suggestions").status_code == 401
    assert not SuggestionDismissal.objects.exists()
