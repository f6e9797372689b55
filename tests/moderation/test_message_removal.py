"""Moderators remove a reported direct message: it is hidden for every member (web, native and Mastodon
APIs, search), the reports keep their snapshot, the action is audited, the sender gets a notice — and an
appeal shows it again. Nobody without a role can do it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import CommitClient
from spool.identities.services import follow_account
from spool.messaging.models import Message
from spool.moderation.models import Action, AuditEntry, Report
from spool.moderation.services import decide_appeal, file_appeal
from spool.notifications.models import Notification

pytestmark = pytest.mark.django_db

DM = "/api/spool/v1/messaging/"


def call(client: CommitClient, method: str, path: str, data: Any = None) -> Any:
    if method == "get":
        return client.get(DM + path, data or {})
    return getattr(client, method)(DM + path, json.dumps(data or {}), content_type="application/json")


def ok(client: CommitClient, method: str, path: str, data: Any = None) -> Any:
    response = call(client, method, path, data)
    assert response.status_code in (200, 201), response.content
    return response.json()


@pytest.fixture
def reported(ana, bob, login) -> dict[str, Any]:
    """Ana writes to Bob (who follows her); Bob reports two of her three messages."""
    bob_client, ana_client = login(bob), login(ana)
    follow_account(bob, ana)
    cid = ok(ana_client, "post", "conversations", {"to": "bob", "text": "You are worthless"})["conversation"][
        "id"
    ]
    second = ok(ana_client, "post", f"conversations/{cid}/messages", {"text": "Nobody likes you"})
    kept = ok(ana_client, "post", f"conversations/{cid}/messages", {"text": "See you tomorrow"})
    first = Message.objects.get(text="You are worthless")
    ok(
        bob_client,
        "post",
        f"conversations/{cid}/report",
        {"reason": "abuse", "message_ids": [str(first.pk), second["id"]]},
    )
    return {"cid": cid, "first": first.pk, "second": int(second["id"]), "kept": int(kept["id"])}


def texts(client: CommitClient, cid: str) -> dict[int, tuple[str, bool]]:
    items = ok(client, "get", f"conversations/{cid}/messages")["items"]
    return {int(m["id"]): (m["text"], m["removed"]) for m in items}


def test_a_moderator_removes_a_reported_message_for_everyone(ana, bob, mod, boss, login, reported) -> None:
    cid, first, second, kept = reported["cid"], reported["first"], reported["second"], reported["kept"]
    page = login(mod).get(f"/moderation/message/{first}").content.decode()
    assert 'name="action" value="remove"' in page and "You are worthless" in page
    response = login(mod).post(
        f"/moderation/message/{first}/act", {"action": "remove", "note": "Harassment."}
    )
    assert response.status_code == 302

    for reader in (ana, bob):
        client = login(reader)
        seen = texts(client, cid)
        assert seen[first] == ("", True) and seen[second] == ("", True)  # both reported messages
        assert seen[kept] == ("See you tomorrow", False)
        conversation = client.get(f"/messages/{cid}").content.decode()
        assert "Removed by moderators" in conversation and "worthless" not in conversation
        assert ok(client, "get", "search", {"q": "worthless"})["items"] == []
    # The content stays in the row and in the reports, so nothing is lost.
    assert Message.objects.get(pk=first).text == "You are worthless"
    report = Report.objects.get(target_type="message", target_id=first)
    assert report.status == "resolved" and report.snapshot["text"] == "You are worthless"
    entry = AuditEntry.objects.get(verb="remove")
    assert (entry.actor_label, entry.target_type, entry.target_id, entry.note) == (
        "@mod",
        "message",
        first,
        "Harassment.",
    )
    action = Action.objects.get(kind="remove")
    assert action.account_id == ana.pk
    assert Notification.objects.filter(recipient=ana, kind="moderation").count() == 1
    # The sender cannot bring it back by editing, nor can anyone react to it.
    assert call(login(ana), "patch", f"messages/{first}", {"text": "hello"}).status_code == 403
    assert call(login(bob), "put", f"messages/{first}/reaction", {"emoji": "👍"}).status_code == 422
    assert Message.objects.get(pk=first).text == "You are worthless"
    # An appeal reversed by an admin shows it again.
    appeal = file_appeal(ana, action.pk, "It was a joke between friends.")
    decide_appeal(boss, appeal.pk, "reverse", "Restored.")
    assert texts(login(bob), cid)[first] == ("You are worthless", False)


def test_people_without_a_role_cannot_remove_a_message(ana, bob, login, reported) -> None:
    first = reported["first"]
    for person in (ana, bob):
        response = login(person).post(f"/moderation/message/{first}/act", {"action": "remove"})
        assert response.status_code == 404
    assert not Message.objects.filter(removed_at__isnull=False).exists()
    assert not Action.objects.exists() and Report.objects.get(target_id=first).status == "open"


def test_an_unsent_message_cannot_be_removed_and_nothing_is_recorded(ana, mod, login, reported) -> None:
    first = reported["first"]
    ok(login(ana), "post", f"messages/{first}/unsend")
    Message.objects.filter(pk=reported["second"]).delete()
    response = login(mod).post(f"/moderation/message/{first}/act", {"action": "remove"})
    assert response.status_code == 404  # as for a deleted post: dismiss its reports instead
    assert not Action.objects.exists() and not AuditEntry.objects.filter(verb="remove").exists()
    assert Report.objects.get(target_id=first).status == "open"
