"""Issue 7 point 6: every page carries a strict Content-Security-Policy and the other security headers;
the session and CSRF cookies are HttpOnly/SameSite, and Secure once the site is served over https."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.web.conftest import PASSWORD, body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/new", "/login", "/signup", "/password/reset", "/search"])
def test_pages_carry_a_strict_csp_and_security_headers(anon, path):
    response = anon.get(path)
    assert response.status_code == 200
    csp = {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split("; ")}
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline scripts, no eval
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    # And the page itself holds no inline script the policy would block.
    assert "<script>" not in body(response)


def test_signed_in_pages_and_the_security_settings_carry_the_csp(login, make_account):
    client = login(make_account("ada"))
    for path in ("/settings/security", "/settings/sessions", "/settings/account"):
        response = client.get(path)
        assert response.status_code == 200
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_session_cookie_is_httponly_and_samesite(anon, make_account):
    make_account("ada")
    response = anon.post("/login", {"email": "ada@example.com", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    csrf = anon.get("/login").cookies.get("csrftoken") or anon.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"


@pytest.mark.parametrize(("https", "secure"), [("1", True), ("0", False)])
def test_cookies_are_secure_when_served_over_https(https, secure, tmp_path):
    """Read the settings as a fresh process would with SPOOL_HTTPS set (the only switch an operator sets)."""
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'spool.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY]))"
    )
    out = subprocess.run(  # noqa: S603 - our own fixed command
        [sys.executable, "-c", code],
        env={"SPOOL_HTTPS": https, "PATH": "/usr/bin:/bin", "SPOOL_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [secure, secure, True]
