"""``/api/v1/polls``: reading a poll and voting (single choice)."""

from __future__ import annotations

from typing import Any

from conftest import CommitClient
from spool.identities.services import update_profile
from spool.posts.models import PollVote
from spool.posts.services import create_post
from tests.api.mastodon.shapes import assert_shape

POLLS = "/api/v1/polls"


def test_read_and_vote(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    post = create_post(ana.account, text="Pick", poll_options=["red", "blue", "green"])
    anonymous = CommitClient().get(f"{POLLS}/{post.id}")
    assert anonymous.status_code == 200
    assert_shape("Poll", anonymous.json())
    assert anonymous.json()["voted"] is None

    voted = bo.form("post", f"{POLLS}/{post.id}/votes", {"choices[]": ["2"]})
    assert voted.status_code == 200, voted.content
    assert_shape("Poll", voted.json())
    assert voted.json()["own_votes"] == [2] and voted.json()["votes_count"] == 1
    assert [o["votes_count"] for o in voted.json()["options"]] == [0, 0, 1]
    assert bo.get(f"{POLLS}/{post.id}").json()["voted"] is True


def test_vote_refusals_write_nothing(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    post = create_post(ana.account, text="Pick", poll_options=["a", "b"])
    no_poll = create_post(ana.account, text="no poll here")
    path = f"{POLLS}/{post.id}/votes"
    assert bo.post(path, {"choices": [0, 1]}).status_code == 422  # single choice
    assert bo.post(path, {"choices": []}).status_code == 422
    assert bo.post(path, {"choices": ["first"]}).status_code == 422
    assert bo.post(path, {"choices": [7]}).status_code == 422
    assert bo.post(f"{POLLS}/{no_poll.id}/votes", {"choices": [0]}).status_code == 404
    assert mastodon("bo", scopes="read").post(path, {"choices": [0]}).status_code == 403
    assert CommitClient().post(path, {"choices": [0]}).status_code == 401
    assert not PollVote.objects.exists()
    assert bo.post(path, {"choices": [1]}).status_code == 200
    assert bo.post(path, {"choices": [0]}).status_code == 409  # one vote per person
    assert PollVote.objects.count() == 1


def test_polls_of_private_accounts_are_404_to_others(mastodon: Any) -> None:
    cy = mastodon("cy")
    update_profile(cy.account, is_private=True)
    post = create_post(cy.account, text="Secret poll", poll_options=["a", "b"])
    assert CommitClient().get(f"{POLLS}/{post.id}").status_code == 404
    assert mastodon("bo").post(f"{POLLS}/{post.id}/votes", {"choices": [0]}).status_code == 404
    assert not PollVote.objects.exists()
