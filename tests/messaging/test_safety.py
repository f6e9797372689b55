"""Safety: the likely-spam heuristic routes requests into Hidden; reports keep the reported messages for the
moderation queue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from spool.messaging.models import Report
from spool.messaging.spam import HIDE_AT, Signals, score

pytestmark = pytest.mark.django_db

ESTABLISHED = Signals(
    account_age=timedelta(days=90), followers=12, has_profile=True, requests_today=0, repeated_text=False
)


def test_score_weights():
    assert score(ESTABLISHED) == 0
    fresh_blank = Signals(timedelta(hours=1), 0, False, 0, False)
    assert score(fresh_blank) == 3 < HIDE_AT  # a new person saying hello is not spam by itself
    assert score(Signals(timedelta(hours=1), 0, False, 0, True)) >= HIDE_AT  # ...copy-pasting is
    assert (
        score(Signals(timedelta(days=90), 12, True, 9, True)) == HIDE_AT
    )  # so is a campaign from an old one
    assert score(Signals(timedelta(days=90), 12, True, 9, False)) < HIDE_AT


def test_copy_paste_requests_go_to_hidden(ana, bob, cy):
    ana.start(bob, "Earn $$$ fast, ask me how")
    assert len(bob.inbox("requests")) == 1
    ana.start(cy, "Earn $$$ fast, ask me how")
    assert cy.inbox("requests") == []
    [hidden] = cy.inbox("hidden")
    assert hidden["state"] == "spam" and cy.unread_counts()["hidden"] == 1
    # Still the recipient's choice: accept moves it to Primary.
    cy.ok("post", f"conversations/{hidden['id']}/accept")
    assert [c["id"] for c in cy.inbox()] == [hidden["id"]]


def test_report_a_message_keeps_it_as_evidence(friends):
    ana, bob = friends
    cid = ana.start(bob, "first")["conversation"]["id"]
    bad = ana.say(cid, "something abusive")
    body = bob.ok(
        "post",
        f"conversations/{cid}/report",
        {"reason": "abuse", "message_ids": [bad["id"]], "comment": "not ok"},
        status=201,
    )
    ana.ok("post", f"messages/{bad['id']}/unsend")
    report = Report.objects.get(pk=body["id"])
    assert report.reason == "abuse" and report.status == "open" and report.reported_account_id == ana.id
    assert [m.pk for m in report.messages.all()] == [int(bad["id"])]
    assert report.evidence[0]["text"] == "something abusive"


def test_report_a_request_as_spam_hides_it(ana, bob):
    ana.set_bio()
    cid = ana.start(bob, "hi")["conversation"]["id"]
    bob.ok("post", f"conversations/{cid}/report", {"reason": "spam"}, status=201)
    assert bob.inbox("requests") == [] and len(bob.inbox("hidden")) == 1
    assert Report.objects.get().reported_account_id == ana.id


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "boring"},
        {"reason": "spam", "message_ids": "1"},
        {"reason": "spam", "message_ids": ["x"]},
        {"reason": "spam", "comment": "x" * 1001},
    ],
)
def test_bad_reports_are_refused(friends, body):
    ana, bob = friends
    cid = ana.start(bob)["conversation"]["id"]
    assert bob.call("post", f"conversations/{cid}/report", body).status_code == 422
    assert Report.objects.count() == 0


def test_only_others_messages_of_that_conversation_can_be_attached(friends, cy):
    ana, bob = friends
    cid = ana.start(bob)["conversation"]["id"]
    own = bob.say(cid, "mine")
    cy.follow(bob)
    other = cy.say(bob.start(cy)["conversation"]["id"], "elsewhere")
    for ids in ([own["id"]], [other["id"]]):
        response = bob.call("post", f"conversations/{cid}/report", {"reason": "spam", "message_ids": ids})
        assert response.status_code == 422 and response.json()["code"] == "invalid_messages"
    assert cy.call("post", f"conversations/{cid}/report", {"reason": "spam"}).status_code == 404
    assert Report.objects.count() == 0
