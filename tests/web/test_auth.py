"""Sign-up, sign-in and sign-out pages: messages beside fields, nothing created on bad input, CSRF."""

from __future__ import annotations

import pytest
from django.test import Client

from spool.accounts.models import User
from spool.identities.models import Account
from spool.identities.services import deactivate_account
from tests.web.conftest import PASSWORD, body

pytestmark = pytest.mark.django_db

GOOD = {"email": "ada@example.com", "password": PASSWORD, "handle": "ada", "display_name": "Ada"}


def test_signup_page_has_labelled_fields(anon):
    page = body(anon.get("/signup"))
    for name in ("email", "password", "handle", "display_name"):
        assert f'name="{name}"' in page
        assert f'for="id_{name}"' in page
    assert "csrfmiddlewaretoken" in page


def test_signup_creates_account_and_signs_in(anon):
    response = anon.post("/signup", GOOD)
    assert response.status_code == 302 and response["Location"] == "/"
    account = Account.objects.get(handle="ada")
    assert account.display_name == "Ada" and account.user.email == "ada@example.com"
    assert "Log out" in body(anon.get("/"))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"password": "short"}, "password", "too short"),
        ({"handle": "no spaces"}, "handle", ""),
        ({"handle": "a" * 31}, "handle", "30"),
        ({"display_name": "x" * 51}, "display_name", "50"),
    ],
)
def test_signup_bad_input_shows_message_beside_field(anon, change, field, message):
    response = anon.post("/signup", {**GOOD, **change})
    assert response.status_code == 422
    page = body(response)
    assert f'id="id_{field}_error"' in page
    assert message in page
    assert not User.objects.exists() and not Account.objects.exists()
    # What was typed comes back (except the password).
    if field != "email":
        assert 'value="ada@example.com"' in page


def test_signup_taken_handle_and_email(anon, make_account):
    make_account("Ada")
    response = anon.post("/signup", {**GOOD, "email": "other@example.com", "handle": "ADA"})
    assert response.status_code == 422
    assert "This handle is taken" in body(response)
    response = anon.post("/signup", {**GOOD, "handle": "other"})
    assert response.status_code == 422
    assert "already exists" in body(response)
    assert Account.objects.count() == 1


def test_signup_handle_of_30_characters_is_fine(anon):
    response = anon.post("/signup", {**GOOD, "handle": "a" * 30})
    assert response.status_code == 302
    assert Account.objects.filter(handle="a" * 30).exists()


def test_login_and_logout(anon, make_account):
    make_account("ada")
    response = anon.post(
        "/login", {"email": "ADA@example.com", "password": PASSWORD, "next": "/settings/profile"}
    )
    assert response.status_code == 302 and response["Location"] == "/settings/profile"
    assert anon.get("/settings/profile").status_code == 200
    assert anon.get("/logout").status_code == 405  # signing out is a POST (CSRF-protected)
    response = anon.post("/logout")
    assert response.status_code == 302
    assert anon.get("/settings/profile").status_code == 302


def test_login_wrong_password_says_so_and_stays_signed_out(anon, make_account):
    make_account("ada")
    response = anon.post("/login", {"email": "ada@example.com", "password": "wrong password!"})
    assert response.status_code == 422
    assert "not correct" in body(response)
    assert anon.get("/settings/profile").status_code == 302


def test_login_refuses_open_redirects(anon, make_account):
    make_account("ada")
    response = anon.post(
        "/login", {"email": "ada@example.com", "password": PASSWORD, "next": "https://evil.test/"}
    )
    assert response["Location"] == "/"


def test_login_attempts_are_rate_limited(anon, make_account):
    make_account("ada")
    for _ in range(10):
        anon.post("/login", {"email": "ada@example.com", "password": "wrong password!"})
    response = anon.post("/login", {"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 422
    assert "Too many sign-in attempts" in body(response)


def test_signing_in_reactivates_a_deactivated_profile(anon, make_account):
    ada = make_account("ada")
    deactivate_account(ada)
    anon.post("/login", {"email": "ada@example.com", "password": PASSWORD})
    ada.refresh_from_db()
    assert ada.is_active


def test_signed_in_visitor_is_sent_home_from_signup(login, make_account):
    c = login(make_account("ada"))
    assert c.get("/signup")["Location"] == "/"


def test_forms_enforce_csrf(db):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/signup", GOOD)
    assert response.status_code == 403
    assert not Account.objects.exists()
    # With the token from the page, the same form goes through.
    strict.get("/signup")
    token = strict.cookies["csrftoken"].value
    response = strict.post("/signup", {**GOOD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Account.objects.filter(handle="ada").exists()


def test_htmx_buttons_send_the_csrf_token_header(make_account, write):
    """htmx requests carry the token in X-CSRFToken (from <body hx-headers>); without it they are refused."""
    from spool.posts.models import Like

    ada, bob = make_account("ada"), make_account("bob")
    post = write(bob, "Like me")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada.user)
    page = strict.get(f"/@bob/post/{post.id}").content.decode()
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    url = f"/@bob/post/{post.id}/like"
    assert strict.post(url, HTTP_HX_REQUEST="true").status_code == 403
    assert not Like.objects.exists()
    response = strict.post(url, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and Like.objects.filter(account=ada, post=post).exists()
