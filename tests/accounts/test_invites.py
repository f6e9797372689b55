"""Invite-only sign-up (``SPOOL_INVITE_ONLY``): moderators and admins create codes with a number of uses
and an expiry in Moderation → Invites; sign-up (web and API) needs a valid code, each use is counted, and a
refused sign-up creates nothing. Everyone else gets a 404 from the invites page."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import CommitClient
from spool.accounts.models import InviteCode, User
from spool.moderation.models import Role, RoleName
from tests.accounts.security import PASSWORD, Browser, form_fields, member, sign_in
from tests.identities.people import sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db: None) -> Browser:
    """A moderator's browser, signed in (the account exists before the server turns invite-only)."""
    mod = member("mod")
    Role.objects.create(user_id=mod.user_id, role=RoleName.MODERATOR)
    browser = Browser()
    sign_in(browser, "mod@example.com")
    return browser


@pytest.fixture
def invite_only(moderator: Browser, settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(settings.SPOOL, "invite_only", True)


def create_code(browser: Browser, uses: str, days: str) -> Any:
    page = browser.get("/moderation/invites")
    return browser.http.post(
        "/moderation/invites", {**form_fields(page), "max_uses": uses, "expires_in_days": days}
    )


def web_sign_up(handle: str, invite: str) -> Any:
    browser = Browser()
    page = browser.get("/signup")
    data = {"email": f"{handle}@example.com", "password": PASSWORD, "handle": handle, "invite": invite}
    return browser.http.post("/signup", {**form_fields(page), **data})


def test_a_moderator_creates_a_code_and_it_admits_exactly_its_uses(
    moderator: Browser, invite_only: None
) -> None:
    browser = moderator
    created = create_code(browser, "2", "7")
    assert created.status_code == 302
    code = InviteCode.objects.get().code
    assert code in browser.get("/moderation/invites").content.decode()
    assert web_sign_up("ana", code).status_code == 302
    assert sign_up(CommitClient(), "bea", invite=code).status_code == 201
    refused = web_sign_up("cai", code)
    assert refused.status_code == 422
    assert "not valid" in refused.content.decode()
    assert not User.objects.filter(email="cai@example.com").exists()
    assert InviteCode.objects.get().uses == 2


def test_sign_up_without_or_with_a_bad_code_creates_nothing(invite_only: None) -> None:
    page = Browser().get("/signup").content.decode()
    assert "Invite code" in page
    users = User.objects.count()
    missing = sign_up(CommitClient(), "ana")
    assert missing.status_code == 422 and missing.json()["code"] == "invite_required"
    assert missing.json()["field"] == "invite"
    wrong = sign_up(CommitClient(), "ana", invite="not-a-code")
    assert wrong.status_code == 422 and wrong.json()["code"] == "invite_invalid"
    assert User.objects.count() == users


def test_expired_and_revoked_codes_are_refused(moderator: Browser, invite_only: None) -> None:
    browser = moderator
    create_code(browser, "5", "1")
    create_code(browser, "5", "")
    expiring, forever = InviteCode.objects.order_by("id")
    assert forever.expires_at is None
    InviteCode.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sign_up(CommitClient(), "ana", invite=expiring.code).json()["code"] == "invite_invalid"
    page = browser.get("/moderation/invites")
    assert browser.http.post(f"/moderation/invites/{forever.pk}/revoke", form_fields(page)).status_code == 302
    assert sign_up(CommitClient(), "bea", invite=forever.code).json()["code"] == "invite_invalid"
    assert InviteCode.objects.filter(uses=0).count() == 2


def test_a_refused_sign_up_does_not_use_up_the_code(moderator: Browser, invite_only: None) -> None:
    browser = moderator
    create_code(browser, "1", "7")
    code = InviteCode.objects.get().code
    taken = sign_up(CommitClient(), "mod", invite=code)  # the handle is taken
    assert taken.status_code == 409
    assert InviteCode.objects.get().uses == 0
    assert sign_up(CommitClient(), "ana", invite=code).status_code == 201


@pytest.mark.parametrize(("uses", "days"), [("0", "7"), ("1001", "7"), ("x", "7"), ("1", "0"), ("1", "366")])
def test_code_limits_are_checked(moderator: Browser, uses: str, days: str) -> None:
    browser = moderator
    response = create_code(browser, uses, days)
    assert response.status_code == 422
    assert "whole number" in response.content.decode()
    assert not InviteCode.objects.exists()


def test_the_edges_of_code_limits_are_accepted(moderator: Browser) -> None:
    browser = moderator
    assert create_code(browser, "1000", "365").status_code == 302
    assert create_code(browser, "1", "1").status_code == 302


def test_people_without_a_role_get_404_and_create_nothing() -> None:
    member("ana")
    browser = Browser()
    sign_in(browser, "ana@example.com")
    assert browser.get("/moderation/invites").status_code == 404
    page = browser.get("/settings/account")
    response = browser.http.post("/moderation/invites", {**form_fields(page), "max_uses": "5"})
    assert response.status_code == 404
    assert not InviteCode.objects.exists()


def test_open_sign_up_ignores_codes() -> None:
    assert sign_up(CommitClient(), "ana").status_code == 201
    page = Browser().get("/signup").content.decode()
    assert not re.search(r"Invite code", page)


def test_operators_can_make_a_code_from_the_shell(moderator: Browser, invite_only: None) -> None:
    out = io.StringIO()
    call_command("create_invite", "--uses", "1", "--days", "never", stdout=out)
    code = out.getvalue().strip()
    assert InviteCode.objects.get(code=code).expires_at is None
    assert sign_up(CommitClient(), "ana", invite=code).status_code == 201
    with pytest.raises(CommandError):
        call_command("create_invite", "--uses", "0")
