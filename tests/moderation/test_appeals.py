"""Appeals: the person an action fell on appeals it once; another moderator (or an admin) upholds or
reverses it, and reversing undoes the action. A suspended person appeals from the sign-in page."""

from __future__ import annotations

import pytest

from spool.moderation.models import Action, Appeal, AuditEntry
from spool.moderation.services import report_account, report_post, take_action
from spool.notifications.models import Notification
from spool.posts.models import Post
from tests.moderation.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod2(make_account):
    from spool.moderation.services import grant_role

    account = make_account("mod2")
    grant_role(None, account, "moderator")
    return account


@pytest.fixture
def removed(ana, bob, mod, write):
    post = write(ana, "A joke people misread")
    report_post(bob, post.pk, "abuse")
    return take_action(mod, "post", post.pk, "remove", "Harassment.")


def appeal(client, action_id: int, text: str = "It was a joke between friends.") -> object:
    return client.post(f"/notices/{action_id}", {"text": text})


def test_file_an_appeal_once(ana, removed, login) -> None:
    client = login(ana)
    response = appeal(client, removed.pk)
    assert response.status_code == 302
    saved = Appeal.objects.get()
    assert saved.action == removed and saved.status == "open" and saved.account == ana
    assert AuditEntry.objects.filter(verb="appeal", actor_label="@ana").exists()
    again = appeal(client, removed.pk, "Please!")
    assert again.status_code == 422 and "already appealed" in again.content.decode()
    assert Appeal.objects.count() == 1
    assert "Waiting for a moderator" in client.get(f"/notices/{removed.pk}").content.decode()


def test_an_appeal_needs_text_and_a_notice_of_ones_own(ana, bob, removed, login) -> None:
    assert appeal(login(ana), removed.pk, "   ").status_code == 422
    assert appeal(login(ana), removed.pk, "x" * 1001).status_code == 422
    assert appeal(login(bob), removed.pk).status_code == 404
    assert not Appeal.objects.exists()


def test_uphold(ana, mod2, removed, login) -> None:
    appeal(login(ana), removed.pk)
    client = login(mod2)
    assert "It was a joke between friends." in client.get("/moderation/appeals").content.decode()
    response = client.post(
        f"/moderation/appeals/{Appeal.objects.get().pk}", {"decision": "uphold", "note": "No."}
    )
    assert response.status_code == 302
    saved = Appeal.objects.get()
    assert saved.status == "upheld" and saved.decided_by == mod2 and saved.decision_note == "No."
    assert Post.objects.get(pk=removed.target_id).moderation_state == "removed"
    assert Action.objects.get().reversed_at is None
    assert AuditEntry.objects.filter(verb="appeal_upheld", actor_label="@mod2").exists()
    assert Notification.objects.filter(recipient=ana, kind="moderation").count() == 2
    assert "Upheld" in login(ana).get(f"/notices/{removed.pk}").content.decode()


def test_reverse_restores_the_post(ana, bob, mod2, removed, login) -> None:
    appeal(login(ana), removed.pk)
    response = login(mod2).post(f"/moderation/appeals/{Appeal.objects.get().pk}", {"decision": "reverse"})
    assert response.status_code == 302
    assert Appeal.objects.get().status == "reversed"
    assert Post.objects.get(pk=removed.target_id).moderation_state == ""
    assert login(bob).get(f"/@ana/post/{removed.target_id}").status_code == 200
    assert Action.objects.get().reversed_at is not None
    assert AuditEntry.objects.filter(verb="reverse").exists()
    assert AuditEntry.objects.filter(verb="appeal_reversed").exists()


def test_reverse_a_sensitive_mark_restores_the_flags(ana, bob, mod, boss, write, login) -> None:
    post = write(ana, "A picture")
    report_post(bob, post.pk, "nudity")
    action = take_action(mod, "post", post.pk, "sensitive")
    appeal(login(ana), action.pk)
    login(boss).post(f"/moderation/appeals/{Appeal.objects.get().pk}", {"decision": "reverse"})
    post.refresh_from_db()
    assert not post.sensitive and not post.media_spoiler


def test_the_moderator_who_acted_does_not_decide_the_appeal(ana, mod, removed, login) -> None:
    appeal(login(ana), removed.pk)
    response = login(mod).post(f"/moderation/appeals/{Appeal.objects.get().pk}", {"decision": "reverse"})
    assert response.status_code == 302
    assert Appeal.objects.get().status == "open"
    assert Post.objects.get(pk=removed.target_id).moderation_state == "removed"


def test_people_without_a_role_cannot_decide(ana, bob, removed, login) -> None:
    appeal(login(ana), removed.pk)
    response = login(bob).post(f"/moderation/appeals/{Appeal.objects.get().pk}", {"decision": "reverse"})
    assert response.status_code == 404
    assert Appeal.objects.get().status == "open"


def test_a_suspended_person_appeals_from_the_sign_in_page_and_an_admin_reverses(
    ana, bob, boss, mod2, client, login
) -> None:
    report_account(bob, ana, "spam")
    action = take_action(boss, "account", ana.pk, "suspend", "Looks like a spam bot.")
    page = client.post("/login", {"email": "ana@example.com", "password": PASSWORD})
    assert page.status_code == 403
    link = page.content.decode().split('href="/suspended/')[1].split('"')[0].replace("&amp;", "&")
    notice = client.get(f"/suspended/{link}")
    assert notice.status_code == 200 and "Looks like a spam bot." in notice.content.decode()
    token = link.split("token=")[1]
    from urllib.parse import unquote

    response = client.post(f"/suspended/{action.pk}", {"token": unquote(token), "text": "I am a person."})
    assert response.status_code == 302
    assert Appeal.objects.get().text == "I am a person."
    assert client.get(f"/suspended/{action.pk}?token=forged").status_code == 404
    # Suspension appeals are for admins.
    appeal_id = Appeal.objects.get().pk
    login(mod2).post(f"/moderation/appeals/{appeal_id}", {"decision": "reverse"})
    assert Appeal.objects.get().status == "open"
    login(boss).post(f"/moderation/appeals/{appeal_id}", {"decision": "reverse", "note": "Sorry."})
    ana.refresh_from_db()
    assert ana.suspended_at is None and ana.is_active and ana.user.is_active
    assert client.post("/login", {"email": "ana@example.com", "password": PASSWORD}).status_code == 302
