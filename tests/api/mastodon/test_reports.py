"""``POST /api/v1/reports``: Mastodon clients report an account (with some of its statuses) into Spool's
moderation queue."""

from __future__ import annotations

import pytest

from spool.moderation.models import Report
from spool.posts.services import create_post

pytestmark = pytest.mark.django_db


def test_report_an_account_with_statuses(mastodon) -> None:
    ana, bob = mastodon("ana"), mastodon("bob")
    post = create_post(ana.account, text="Follow me for free money")
    response = bob.post(
        "/api/v1/reports",
        {
            "account_id": str(ana.account.pk),
            "status_ids": [str(post.pk)],
            "comment": "scam",
            "category": "spam",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["category"] == "spam" and body["comment"] == "scam" and body["status_ids"] == [str(post.pk)]
    assert body["target_account"]["id"] == str(ana.account.pk) and body["action_taken"] is False
    report = Report.objects.get()
    assert (report.target_type, report.target_id, report.reason) == ("account", ana.account.pk, "spam")
    assert report.snapshot["posts"][0]["text"] == "Follow me for free money"


def test_form_encoded_report_with_a_legal_category(mastodon) -> None:
    ana, bob = mastodon("ana"), mastodon("bob")
    response = bob.form("post", "/api/v1/reports", {"account_id": str(ana.account.pk), "category": "legal"})
    assert response.status_code == 200, response.content
    assert Report.objects.get().reason == "illegal" and response.json()["category"] == "legal"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"account_id": "1"}, 404),
        ({"category": "spam"}, 422),
        ({"account_id": "SELF", "category": "spam"}, 422),
        ({"account_id": "ANA", "category": "nonsense"}, 422),
        ({"account_id": "ANA", "comment": "x" * 1001}, 422),
    ],
)
def test_bad_reports_are_refused(mastodon, body, status) -> None:
    ana, bob = mastodon("ana"), mastodon("bob")
    ids = {"SELF": str(bob.account.pk), "ANA": str(ana.account.pk)}
    if "account_id" in body:
        body = {**body, "account_id": ids.get(body["account_id"], body["account_id"])}
    response = bob.post("/api/v1/reports", body)
    assert response.status_code == status, response.content
    assert "error" in response.json()
    assert not Report.objects.exists()


def test_reporting_needs_the_write_reports_scope(mastodon) -> None:
    ana, bob = mastodon("ana"), mastodon("bob", scopes="read")
    response = bob.post("/api/v1/reports", {"account_id": str(ana.account.pk)})
    assert response.status_code == 403 and not Report.objects.exists()
