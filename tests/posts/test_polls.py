"""Polls: 2-4 options of 1-25 characters, open 24 hours, one vote per person, results in percent; closing
is the scheduled task's work, which publishes ``PollEnded`` for notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from spool.core.events import _in_transaction, subscribe
from spool.posts.events import PollEnded
from spool.posts.models import Poll, PollVote
from spool.posts.services.polls import percentages
from spool.posts.tasks import close_ended_polls
from tests.posts.conftest import Person
from tests.posts.test_compose import refused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [2, 3, 4])
def test_two_to_four_options_are_accepted(ana: Person, count: int) -> None:
    post = ana.write("Pick one", poll_options=[f"option {i}" for i in range(count)])
    assert [o["text"] for o in post["poll"]["options"]] == [f"option {i}" for i in range(count)]
    assert post["poll"]["total_votes"] == 0 and post["poll"]["ended"] is False
    expires = Poll.objects.get(post_id=post["id"]).expires_at
    assert timedelta(hours=23, minutes=59) < expires - timezone.now() <= timedelta(hours=24)


@pytest.mark.parametrize("count", [0, 1, 5])
def test_fewer_than_two_or_more_than_four_options_are_refused(ana: Person, count: int) -> None:
    refused(
        ana.try_post("Pick", poll_options=[f"o{i}" for i in range(count)]),
        422,
        "poll_option_count",
        "poll_options",
    )
    assert Poll.objects.count() == 0


def test_options_are_1_to_25_characters_and_distinct(ana: Person) -> None:
    assert ana.try_post("Pick", poll_options=["a" * 25, "b"]).status_code == 201
    refused(ana.try_post("Pick", poll_options=["a" * 26, "b"]), 422, "poll_option_length", "poll_options")
    refused(ana.try_post("Pick", poll_options=["  ", "b"]), 422, "poll_option_length", "poll_options")
    refused(ana.try_post("Pick", poll_options=["Yes", "yes"]), 422, "poll_option_duplicate", "poll_options")


def test_one_vote_per_person_and_results_in_percent(
    ana: Person, bob: Person, cy: Person, person: Any
) -> None:
    post = ana.write("Tea or coffee?", poll_options=["Tea", "Coffee", "Water"])
    assert bob.act(post, "vote", {"option": 0}).status_code == 200
    refused(bob.act(post, "vote", {"option": 1}), 409, "already_voted")
    assert cy.act(post, "vote", {"option": 1}).status_code == 200
    dee = person("dee")
    result = dee.act(post, "vote", {"option": 1}).json()["poll"]
    assert [o["votes"] for o in result["options"]] == [1, 2, 0]
    assert [o["percent"] for o in result["options"]] == [33, 67, 0]
    assert result["total_votes"] == 3 and result["viewer_vote"] == 1
    assert bob.view(post)["poll"]["viewer_vote"] == 0
    assert ana.view(post)["poll"]["viewer_vote"] is None
    assert PollVote.objects.count() == 3


def test_votes_need_a_real_option_and_a_poll(ana: Person, bob: Person) -> None:
    post = ana.write("Pick", poll_options=["a", "b"])
    refused(bob.act(post, "vote", {"option": 2}), 422, "invalid_option", "option")
    refused(bob.act(post, "vote", {"option": -1}), 422, "invalid_option", "option")
    refused(bob.act(post, "vote", {"option": "zero"}), 422, "invalid", "option")
    refused(bob.act(ana.write("no poll"), "vote", {"option": 0}), 422, "no_poll")
    assert PollVote.objects.count() == 0


def test_percentages_always_add_up_to_100() -> None:
    assert percentages([1, 1, 1]) == [34, 33, 33]
    assert percentages([0, 0]) == [0, 0]
    assert percentages([2, 1]) == [67, 33]
    assert sum(percentages([7, 11, 13, 17])) == 100


def test_the_task_closes_ended_polls_once_and_tells_voters(ana: Person, bob: Person, cy: Person) -> None:
    ended: list[PollEnded] = []
    subscribe(PollEnded, ended.append)
    try:
        post = ana.write("Pick", poll_options=["a", "b"])
        bob.act(post, "vote", {"option": 0})
        cy.act(post, "vote", {"option": 1})
        open_post = ana.write("Still open", poll_options=["a", "b"])
        assert close_ended_polls() == 0
        Poll.objects.filter(post_id=post["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
        refused(ana.act(post, "vote", {"option": 0}), 409, "poll_closed")
        assert close_ended_polls.delay().get() == 1
        assert close_ended_polls() == 0
    finally:
        _in_transaction[PollEnded].remove(ended.append)
    assert [(e.post_id, e.author_id, set(e.voter_ids)) for e in ended] == [
        (int(post["id"]), ana.id, {bob.id, cy.id})
    ]
    assert ana.view(post)["poll"]["ended"] is True
    assert ana.view(open_post)["poll"]["ended"] is False
