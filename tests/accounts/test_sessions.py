"""Settings → Sessions: every signed-in browser listed with its device, address and last sighting, the
current one marked; revoking one or all others signs those browsers out and nothing else. Login
throttling at its edge."""

from __future__ import annotations

import re

import pytest

from conftest import CommitClient
from spool.accounts.models import SessionRecord
from spool.identities.services import SIGN_IN_LIMIT
from tests.accounts.security import PASSWORD, Browser, form_fields, member, sign_in

pytestmark = pytest.mark.django_db


def browser_on(device: str, address: str) -> Browser:
    browser = Browser()
    browser.http = CommitClient(enforce_csrf_checks=True, HTTP_USER_AGENT=device, REMOTE_ADDR=address)
    return browser


def session_ids(page: object) -> list[int]:
    return [int(n) for n in re.findall(r"/settings/sessions/(\d+)/revoke", page.content.decode())]  # type: ignore[attr-defined]


def test_sessions_are_listed_with_device_address_and_the_current_one_marked() -> None:
    member("ana")
    laptop = browser_on("Firefox on a laptop", "198.51.100.1")
    phone = browser_on("Safari on a phone", "198.51.100.2")
    sign_in(laptop, "ana@example.com")
    sign_in(phone, "ana@example.com")
    page = laptop.get("/settings/sessions")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Firefox on a laptop" in body and "Safari on a phone" in body
    assert "198.51.100.1" in body and "198.51.100.2" in body
    current = body.split('class="session current"')[1].split("</li>")[0]
    assert "Firefox on a laptop" in current and "This device" in current
    # Only the other session has a revoke button.
    assert len(session_ids(page)) == 1


def test_revoking_a_session_signs_that_browser_out_only() -> None:
    member("ana")
    laptop = browser_on("Laptop", "198.51.100.1")
    phone = browser_on("Phone", "198.51.100.2")
    sign_in(laptop, "ana@example.com")
    sign_in(phone, "ana@example.com")
    page = laptop.get("/settings/sessions")
    (phone_id,) = session_ids(page)
    assert laptop.http.post(f"/settings/sessions/{phone_id}/revoke", form_fields(page)).status_code == 302
    assert phone.get("/settings/account").status_code == 302
    assert laptop.get("/settings/account").status_code == 200
    assert "Phone" not in laptop.get("/settings/sessions").content.decode()


def test_log_out_everywhere_else() -> None:
    member("ana")
    browsers = [browser_on(f"Device {n}", f"198.51.100.{n}") for n in range(1, 4)]
    for browser in browsers:
        sign_in(browser, "ana@example.com")
    here = browsers[0]
    page = here.get("/settings/sessions")
    assert here.http.post("/settings/sessions/revoke-others", form_fields(page)).status_code == 302
    assert [b.get("/settings/account").status_code for b in browsers] == [200, 302, 302]
    assert SessionRecord.objects.count() == 1


def test_one_cannot_revoke_someone_elses_session() -> None:
    member("ana")
    member("bea")
    ana = browser_on("Ana's laptop", "198.51.100.1")
    bea = browser_on("Bea's phone", "198.51.100.2")
    sign_in(ana, "ana@example.com")
    sign_in(bea, "bea@example.com")
    beas = SessionRecord.objects.get(user__email="bea@example.com").pk
    page = ana.get("/settings/sessions")
    response = ana.http.post(f"/settings/sessions/{beas}/revoke", form_fields(page))
    assert response.status_code == 404
    assert bea.get("/settings/account").status_code == 200
    assert SessionRecord.objects.filter(pk=beas).exists()


def test_signing_out_drops_the_session_from_the_list() -> None:
    member("ana")
    laptop = browser_on("Laptop", "198.51.100.1")
    phone = browser_on("Phone", "198.51.100.2")
    sign_in(laptop, "ana@example.com")
    sign_in(phone, "ana@example.com")
    phone.http.post("/logout", form_fields(phone.get("/settings/account")))
    assert "Phone" not in laptop.get("/settings/sessions").content.decode()


def test_sessions_page_needs_sign_in() -> None:
    assert Browser().get("/settings/sessions")["Location"].startswith("/login")


def test_login_throttling_at_its_edge() -> None:
    """``SIGN_IN_LIMIT.limit`` attempts per email pass (the last of them with the right password signs
    in); the next one is refused even with the right password."""
    member("ana")
    for _ in range(SIGN_IN_LIMIT.limit - 1):
        assert sign_in(Browser(), "ana@example.com", "a wrong password").status_code == 422
    last_allowed = Browser()
    assert sign_in(last_allowed, "ana@example.com", PASSWORD)["Location"] == "/"
    refused = sign_in(Browser(), "ana@example.com", PASSWORD)
    assert refused.status_code == 422
    assert "Too many sign-in attempts" in refused.content.decode()
    # Another address is not affected by ana's count.
    member("bea")
    assert sign_in(Browser(), "bea@example.com")["Location"] == "/"


def test_login_throttling_per_network_address_at_its_edge() -> None:
    member("ana")
    for n in range(SIGN_IN_LIMIT.limit - 1):
        attempt = browser_on("Guesser", "203.0.113.9")
        assert sign_in(attempt, f"guess{n}@example.com", "a wrong password").status_code == 422
    assert sign_in(browser_on("Ana", "203.0.113.9"), "ana@example.com")["Location"] == "/"
    refused = sign_in(browser_on("Ana", "203.0.113.9"), "ana@example.com")
    assert refused.status_code == 422 and "Too many sign-in attempts" in refused.content.decode()
    assert sign_in(browser_on("Ana", "203.0.113.10"), "ana@example.com")["Location"] == "/"
