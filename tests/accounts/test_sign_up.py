"""Sign-up through POST /api/spool/v1/accounts/: every rule at its edges, and nothing written on refusal."""

from __future__ import annotations

from typing import Any

import pytest

from spool.accounts.models import User
from spool.identities.models import Account
from spool.identities.services import authenticate_account
from tests.identities.people import API, PASSWORD, sign_up


def counts() -> tuple[int, int]:
    return User.objects.count(), Account.objects.count()


def refused(response: Any, status: int, code: str, field: str | None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body.get("field") == field
    assert body["error"]


@pytest.mark.argon2
def test_sign_up_creates_user_and_account_and_signs_in(anon: Any) -> None:
    response = sign_up(anon, "Ana.Silva_1", email="Ana@Example.COM", display_name="Ana Silva")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["handle"] == "Ana.Silva_1"
    assert body["email"] == "ana@example.com"
    assert body["display_name"] == "Ana Silva"
    assert body["followers_count"] == 0
    assert body["url"] == "/@Ana.Silva_1"
    assert isinstance(body["id"], str)
    user = User.objects.get(email="ana@example.com")
    assert user.account.handle == "Ana.Silva_1"
    # The password is stored hashed with argon2, never as typed.
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password
    # And the new person is signed in.
    me = anon.get(API + "me")
    assert me.status_code == 200
    assert me.json()["handle"] == "Ana.Silva_1"


@pytest.mark.parametrize("handle", ["a", "Z", "_", "a" * 30, "a.b_c.9", "0123456789" * 3])
def test_handles_from_1_to_30_allowed_characters_are_accepted(anon: Any, handle: str) -> None:
    response = sign_up(anon, handle, email="x@example.com")
    assert response.status_code == 201, response.content
    assert response.json()["handle"] == handle


@pytest.mark.parametrize(
    ("handle", "code"),
    [
        ("", "handle_missing"),
        ("   ", "handle_missing"),
        ("a" * 31, "handle_too_long"),
        ("a-b", "handle_invalid"),
        ("a b", "handle_invalid"),
        ("ana!", "handle_invalid"),
        ("ana@host", "handle_invalid"),
        ("josé", "handle_invalid"),
        ("ａｎａ", "handle_invalid"),  # full-width letters  # noqa: RUF001
        ("admin", "handle_reserved"),
        ("Settings", "handle_reserved"),
        ("me", "handle_reserved"),
        ("...", "handle_reserved"),
    ],
)
def test_bad_handles_are_refused_and_nothing_is_created(anon: Any, handle: str, code: str) -> None:
    before = counts()
    refused(sign_up(anon, handle, email="x@example.com"), 422, code, "handle")
    assert counts() == before


def test_a_leading_at_sign_is_not_part_of_the_handle(anon: Any) -> None:
    response = sign_up(anon, "@ana", email="x@example.com")
    assert response.status_code == 201
    assert response.json()["handle"] == "ana"


def test_handle_is_unique_case_insensitively(anon: Any, client: Any) -> None:
    assert sign_up(anon, "Ana", email="one@example.com").status_code == 201
    before = counts()
    refused(sign_up(client, "aNA", email="two@example.com"), 409, "handle_taken", "handle")
    assert counts() == before


def test_email_is_unique_case_insensitively(anon: Any, client: Any) -> None:
    assert sign_up(anon, "ana", email="ana@example.com").status_code == 201
    before = counts()
    refused(sign_up(client, "other", email="ANA@Example.com"), 409, "email_taken", "email")
    assert counts() == before


@pytest.mark.parametrize("email", ["", "not-an-email", "ana@", "@example.com", "a b@example.com"])
def test_bad_emails_are_refused(anon: Any, email: str) -> None:
    before = counts()
    response = sign_up(anon, "ana", email=email or " ")
    assert response.status_code == 422
    assert response.json()["field"] == "email"
    assert counts() == before


@pytest.mark.parametrize("password", ["short1!", "password123", "12345678901", "", "x" * 1025], ids=str)
def test_weak_passwords_are_refused_by_djangos_validators(anon: Any, password: str) -> None:
    before = counts()
    refused(sign_up(anon, "ana", email="ana@example.com", password=password), 422, "password_invalid"
            if password else "password_missing", "password")  # fmt: skip
    assert counts() == before


def test_display_name_of_50_is_accepted_and_51_refused(anon: Any, client: Any) -> None:
    assert sign_up(anon, "ana", display_name="n" * 50).status_code == 201
    refused(sign_up(client, "bea", display_name="n" * 51), 422, "display_name_too_long", "display_name")


def test_unknown_fields_and_wrong_types_are_refused(anon: Any) -> None:
    response = anon.post(
        API,
        {"email": "a@example.com", "password": PASSWORD, "handle": "ana", "is_staff": True},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "is_staff"
    response = anon.post(
        API, {"email": "a@example.com", "password": PASSWORD, "handle": 12}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "handle"
    assert counts() == (0, 0)


def test_authenticate_account_checks_the_password(anon: Any) -> None:
    sign_up(anon, "ana", email="ana@example.com")
    assert authenticate_account("ANA@example.com", PASSWORD).handle == "ana"
    assert authenticate_account("ana@example.com", "wrong password") is None
    assert authenticate_account("nobody@example.com", PASSWORD) is None
