"""Filing reports through every door — web pages, the native API, the messaging API — deduplicated per
reporter and target, refused without writing anything, and kept whole when the reported content goes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from spool.identities.services import block_account, delete_account
from spool.moderation.models import Report
from spool.posts.services import delete_post
from tests.moderation.conftest import api_report

pytestmark = pytest.mark.django_db


def test_report_a_post_from_its_menu(ana, bob, login, write) -> None:
    post = write(ana, "Buy followers now, cheap")
    client = login(bob)
    thread = client.get(f"/@ana/post/{post.pk}")
    assert f'href="/report/post/{post.pk}"' in thread.content.decode()
    page = client.get(f"/report/post/{post.pk}")
    assert page.status_code == 200 and "Buy followers now" in page.content.decode()
    response = client.post(f"/report/post/{post.pk}", {"reason": "spam", "comment": "a bot"})
    assert response.status_code == 302 and response["Location"] == f"/@ana/post/{post.pk}"
    report = Report.objects.get()
    assert (report.target_type, report.target_id, report.reporter_id) == ("post", post.pk, bob.pk)
    assert report.target_account_id == ana.pk and report.reason == "spam" and report.comment == "a bot"
    assert report.snapshot["text"] == "Buy followers now, cheap"
    assert report.snapshot["author"]["handle"] == "ana" and report.snapshot["created_at"]


def test_no_report_item_on_ones_own_post(ana, login, write) -> None:
    post = write(ana, "Mine")
    assert f"/report/post/{post.pk}" not in login(ana).get(f"/@ana/post/{post.pk}").content.decode()


def test_report_a_profile_from_its_menu(ana, bob, login) -> None:
    client = login(bob)
    assert 'href="/report/account/ana"' in client.get("/@ana").content.decode()
    response = client.post("/report/account/ana", {"reason": "abuse", "comment": "threatens people"})
    assert response.status_code == 302 and response["Location"] == "/@ana"
    report = Report.objects.get()
    assert (report.target_type, report.target_id, report.reason) == ("account", ana.pk, "abuse")
    assert report.snapshot["handle"] == "ana"


def test_report_a_topic_from_its_page(ana, bob, login, write) -> None:
    post = write(ana, "Hi", topic="Crypto Giveaways")
    client = login(bob)
    page = client.get("/topic/Crypto Giveaways").content.decode()
    assert "/report/topic/" in page
    response = client.post("/report/topic/crypto giveaways", {"reason": "misinformation"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.target_type, report.target_id) == ("topic", post.topic_id)
    assert report.snapshot["display"] == "Crypto Giveaways"


def test_a_refused_web_report_shows_why_and_writes_nothing(ana, bob, login, write) -> None:
    post = write(ana, "Something")
    client = login(bob)
    response = client.post(f"/report/post/{post.pk}", {"reason": "", "comment": "x"})
    assert response.status_code == 422 and "Choose a reason" in response.content.decode()
    response = client.post(f"/report/post/{post.pk}", {"reason": "spam", "comment": "x" * 1001})
    assert response.status_code == 422 and "1,000" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("kind", ["post", "account"])
def test_reporting_requires_signing_in(ana, anon, write, kind) -> None:
    ref = write(ana, "Hi").pk if kind == "post" else "ana"
    response = anon.post(f"/report/{kind}/{ref}", {"reason": "spam"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not Report.objects.exists()


def test_report_a_post_through_the_api_and_again(ana, bob, login, write) -> None:
    post = write(ana, "Hello")
    client = login(bob)
    first = api_report(client, target_type="post", target=str(post.pk), reason="hate", comment="slur")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["target_type"] == "post" and body["target_id"] == str(post.pk) and body["status"] == "open"
    again = api_report(client, target_type="post", target=str(post.pk), reason="spam")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert Report.objects.count() == 1 and Report.objects.get().reason == "hate"
    mine = client.get("/api/spool/v1/reports/").json()
    assert [r["id"] for r in mine["items"]] == [body["id"]]


def test_report_an_account_through_the_api_with_posts_attached(ana, bob, login, write) -> None:
    one, two = write(ana, "first"), write(ana, "second")
    client = login(bob)
    response = api_report(client, target_type="account", target="ana", reason="abuse", post_ids=[str(one.pk)])
    assert response.status_code == 201, response.content
    again = api_report(
        client, target_type="account", target=str(ana.pk), reason="abuse", post_ids=[str(two.pk)]
    )
    assert again.json()["id"] == response.json()["id"]
    report = Report.objects.get()
    assert [p["text"] for p in report.snapshot["posts"]] == ["first", "second"]


def test_report_a_topic_through_the_api(ana, bob, login, write) -> None:
    write(ana, "Hi #Scams")
    response = api_report(login(bob), target_type="topic", target="scams", reason="other")
    assert response.status_code == 201, response.content
    assert Report.objects.get().snapshot["display"] == "Scams"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"target_type": "post", "target": "1", "reason": "spam"}, 404, "not_found"),
        ({"target_type": "account", "target": "nobody", "reason": "spam"}, 404, "not_found"),
        ({"target_type": "account", "target": "bob", "reason": "spam"}, 422, "own_content"),
        ({"target_type": "account", "target": "ana", "reason": "boring"}, 422, "invalid_reason"),
        (
            {"target_type": "account", "target": "ana", "reason": "spam", "comment": "x" * 1001},
            422,
            "comment_too_long",
        ),
        (
            {"target_type": "account", "target": "ana", "reason": "spam", "comment": "a\x00b"},
            422,
            "invalid_characters",
        ),
        ({"target_type": "account", "target": "ana", "reason": "spam", "post_ids": ["x"]}, 422, "invalid"),
        ({"target_type": "topic", "target": "nothing", "reason": "spam"}, 404, "not_found"),
    ],
)
def test_bad_api_reports_are_refused_and_write_nothing(ana, bob, login, body, status, code) -> None:
    response = api_report(login(bob), **body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Report.objects.exists()


def test_attached_posts_must_be_the_accounts(ana, bob, login, write) -> None:
    others = write(bob, "bob's own")
    response = api_report(
        login(bob), target_type="account", target="ana", reason="spam", post_ids=[str(others.pk)]
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_posts"
    assert not Report.objects.exists()


def test_a_post_one_cannot_see_cannot_be_reported(ana, bob, login, write) -> None:
    post = write(ana, "Hello")
    block_account(ana, bob)
    response = api_report(login(bob), target_type="post", target=str(post.pk), reason="spam")
    assert response.status_code == 404 and not Report.objects.exists()


def test_someone_one_blocked_can_still_be_reported(ana, bob, login) -> None:
    block_account(bob, ana)
    response = api_report(login(bob), target_type="account", target="ana", reason="abuse")
    assert response.status_code == 201


def test_reports_survive_deleting_the_post_and_the_account(ana, bob, login, write) -> None:
    post = write(ana, "Delete me before they see")
    api_report(login(bob), target_type="post", target=str(post.pk), reason="abuse")
    delete_post(ana, post.pk)
    report = Report.objects.get()
    assert report.snapshot["text"] == "Delete me before they see" and report.status == "open"
    delete_account(ana)
    report = Report.objects.get()
    assert report.target_account is None and report.snapshot["author"]["handle"] == "ana"
    delete_account(bob)
    assert Report.objects.get().reporter is None


def test_report_messages_through_messaging_lands_in_the_queue(ana, bob, login) -> None:
    from spool.messaging.models import Report as MessagingReport

    ana_client, bob_client = login(ana), login(bob)
    dm = "/api/spool/v1/messaging/"
    started = ana_client.post(dm + "conversations", json.dumps({"to": "bob", "text": "you are awful"}),
                              content_type="application/json").json()  # fmt: skip
    cid, mid = started["conversation"]["id"], started["message"]["id"]
    response = bob_client.post(
        f"{dm}conversations/{cid}/report",
        json.dumps({"reason": "abuse", "message_ids": [mid], "comment": "insults"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert MessagingReport.objects.count() == 1
    report = Report.objects.get()
    assert (report.target_type, report.target_id, report.target_account_id) == ("message", int(mid), ana.pk)
    assert report.snapshot["messages"][0]["text"] == "you are awful" and report.comment == "insults"


def test_report_a_conversation_from_the_web_page(ana, bob, login) -> None:
    dm = "/api/spool/v1/messaging/"
    started: dict[str, Any] = (
        login(ana)
        .post(
            dm + "conversations",
            json.dumps({"to": "bob", "text": "buy my course"}),
            content_type="application/json",
        )
        .json()
    )
    cid = started["conversation"]["id"]
    response = login(bob).post(f"/messages/{cid}/report", {"reason": "spam"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.target_type, report.target_id, report.reason) == ("conversation", int(cid), "spam")
    assert report.target_account_id == ana.pk
