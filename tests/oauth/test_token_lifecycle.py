"""Tokens end with the person's consent: deactivating the profile, deleting the account or changing the
password signs every app out; Settings → Apps lists the apps and revokes one."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import CommitClient
from spool.accounts.models import User
from spool.identities.models import Account
from spool.identities.services import authenticate_account, deactivate_account, delete_account
from spool.oauth.models import Token
from tests.oauth.client import PASSWORD, App, Browser, form_fields, person, redirect_params

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/apps/verify_credentials"


def authorize(app: App, handle: str = "ana", **params: str) -> CommitClient:
    code = redirect_params(Browser().approve(app, f"{handle}@example.com", **params))["code"]
    return CommitClient(HTTP_AUTHORIZATION=f"Bearer {app.exchange(code).json()['access_token']}")


def test_deactivation_revokes_and_signing_back_in_does_not_restore(db: None) -> None:
    ana = person("ana")
    api = authorize(App.register())
    issued = App.register().token(grant_type="client_credentials").json()
    app_token = CommitClient(HTTP_AUTHORIZATION=f"Bearer {issued['access_token']}")
    deactivate_account(ana)
    assert api.get(VERIFY).status_code == 401
    assert Token.objects.filter(account=ana, revoked_at__isnull=False).count() == 1
    authenticate_account("ana@example.com", PASSWORD)  # reactivates
    assert Account.objects.get(pk=ana.pk).is_active
    assert api.get(VERIFY).status_code == 401
    assert app_token.get(VERIFY).status_code == 200  # app tokens belong to no one


def test_a_password_change_voids_earlier_tokens(db: None) -> None:
    person("ana")
    app = App.register()
    before = authorize(app)
    user = User.objects.get(email="ana@example.com")
    user.set_password("a completely new passphrase")
    user.save()
    assert before.get(VERIFY).status_code == 401
    # A token issued after the change works.
    code = redirect_params(Browser().approve(app, "ana@example.com", "a completely new passphrase"))["code"]
    after = CommitClient(HTTP_AUTHORIZATION=f"Bearer {app.exchange(code).json()['access_token']}")
    assert after.get(VERIFY).status_code == 200


def test_account_deletion_removes_its_tokens(db: None) -> None:
    ana = person("ana")
    api = authorize(App.register())
    delete_account(ana)
    assert not Token.objects.exists()
    assert api.get(VERIFY).status_code == 401


def test_settings_lists_authorized_apps_and_revokes_one(db: None) -> None:
    person("ana")
    tootle = App.register(scopes="read write")
    other = App.register()
    tootle_api = authorize(tootle, scope="read")
    other_api = authorize(other)
    browser = Browser()
    browser.sign_in("/login", "ana@example.com")
    page = browser.get("/settings/apps")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("Tootle") >= 2 and "Read everything in your account" in text
    assert "Change everything" not in text  # only the scopes the person granted

    revoke_url = f"/settings/apps/{tootle.application_id}/revoke"
    done = browser.http.post(revoke_url, {"csrfmiddlewaretoken": form_fields(page)["csrfmiddlewaretoken"]})
    assert done.status_code == 302
    assert tootle_api.get(VERIFY).status_code == 401
    assert other_api.get(VERIFY).status_code == 200


def test_one_cannot_revoke_for_someone_else(db: None) -> None:
    person("ana")
    person("bea")
    tootle = App.register()
    ana_api = authorize(tootle, "ana")
    browser = Browser()
    browser.sign_in("/login", "bea@example.com")
    page = browser.get("/settings/apps")
    assert "Tootle" not in page.content.decode()
    token = form_fields(page)["csrfmiddlewaretoken"]
    browser.http.post(f"/settings/apps/{tootle.application_id}/revoke", {"csrfmiddlewaretoken": token})
    assert ana_api.get(VERIFY).status_code == 200


def test_settings_apps_needs_sign_in(anon: Any) -> None:
    assert anon.get("/settings/apps")["Location"].startswith("/login?next=")
    assert anon.post("/settings/apps/1/revoke").status_code == 302


def test_expired_unused_codes_are_purged_used_ones_kept(db: None) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from spool.oauth.models import Grant
    from spool.oauth.tasks import purge_expired_codes

    person("ana")
    app = App.register()
    used = redirect_params(Browser().approve(app, "ana@example.com"))["code"]
    app.exchange(used)
    redirect_params(Browser().approve(app, "ana@example.com"))  # never exchanged
    redirect_params(Browser().approve(app, "ana@example.com"))  # still fresh
    stale = Grant.objects.filter(used_at__isnull=True).order_by("id").first()
    assert stale is not None
    Grant.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert purge_expired_codes.delay().get() == 1
    assert Grant.objects.count() == 2 and Grant.objects.filter(used_at__isnull=False).count() == 1
