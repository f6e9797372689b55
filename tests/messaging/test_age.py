"""Age, over HTTP: a date of birth at sign-up (API and page) or in settings makes an under-18 person a minor
— a private profile, and no message requests from people they don't follow — and can't be undone by the
minor; under 13 can't sign up. Refusals change nothing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from spool.accounts.models import User
from spool.identities.models import Account
from tests.messaging.conftest import ACCOUNTS, PASSWORD, Person

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> str:
    today = timezone.localdate()
    born = date(today.year - years, today.month, min(today.day, 28))
    return date.fromordinal(born.toordinal() + days).isoformat()


def sign_up(handle: str, **extra: Any) -> tuple[Any, Person | None]:
    client = Client()
    body = {"email": f"{handle}@example.com", "password": PASSWORD, "handle": handle, **extra}
    response = client.post(ACCOUNTS, json.dumps(body), content_type="application/json")
    person = Person(client, handle, int(response.json()["id"])) if response.status_code == 201 else None
    return response, person


def test_a_16_year_old_signs_up_private_and_gets_no_requests_from_strangers(ana, bob):
    response, teen = sign_up("teen", birth_date=years_ago(16))
    assert response.status_code == 201
    me = response.json()
    assert me["is_minor"] is True and me["is_private"] is True and me["birth_date"] == years_ago(16)
    assert teen is not None
    refused = ana.dm(teen, "hi, want to chat?")
    assert refused.status_code == 403 and refused.json()["code"] == "cannot_message"
    assert teen.inbox("requests") == [] and teen.inbox("hidden") == []
    # Someone the teen follows can message them (a follow request first: the profile is private).
    teen.follow(bob)
    assert bob.dm(teen, "hello from bob").status_code == 201
    assert [c["last_message"]["text"] for c in teen.inbox()] == ["hello from bob"]
    # The teen's birth date is theirs alone.
    shown = ana.client.get(f"{ACCOUNTS}teen").json()
    assert "birth_date" not in shown and "is_minor" not in shown


def test_adults_and_people_who_gave_no_date_get_requests(ana):
    for handle, extra in (("adult", {"birth_date": years_ago(18)}), ("nodate", {})):
        response, person = sign_up(handle, **extra)
        assert response.status_code == 201 and response.json()["is_minor"] is False
        assert response.json()["is_private"] is False and person is not None
        assert ana.dm(person, f"hello {handle}").status_code == 201
        assert len(person.inbox("requests")) == 1


@pytest.mark.parametrize(
    ("birth_date", "code"),
    [
        (years_ago(12), "too_young"),
        ("2099-01-01", "invalid"),
        ("yesterday", "invalid"),
        ("1800-01-01", "invalid"),
    ],
)
def test_sign_up_with_a_bad_date_of_birth_is_refused_and_nothing_is_created(birth_date, code):
    response, _ = sign_up("kid", birth_date=birth_date)
    assert response.status_code == 422
    assert response.json()["code"] == code and response.json()["field"] == "birth_date"
    assert not User.objects.exists() and not Account.objects.exists()


def test_the_sign_up_page_takes_a_date_of_birth(ana):
    client = Client()
    page = client.get("/signup").content.decode()
    assert 'name="birth_date"' in page and 'type="date"' in page and 'for="id_birth_date"' in page
    form = {"email": "t@example.com", "password": PASSWORD, "handle": "pageteen", "display_name": "T"}
    too_young = client.post("/signup", {**form, "birth_date": years_ago(10)})
    assert too_young.status_code == 422 and "at least 13" in too_young.content.decode()
    assert not Account.objects.filter(handle="pageteen").exists()
    assert client.post("/signup", {**form, "birth_date": years_ago(15)}).status_code == 302
    teen = Account.objects.select_related("user").get(handle="pageteen")
    assert teen.is_private and teen.user is not None and teen.user.is_minor
    assert ana.dm(Person(client, "pageteen", teen.pk)).status_code == 403


def test_settings_make_someone_a_minor_who_then_cannot_undo_it(ana, bob):
    assert ana.dm(bob, "before").status_code == 201  # a request: bob is an adult without a date
    settings = bob.client.get("/settings/account").content.decode()
    assert 'name="birth_date"' in settings
    response = bob.client.post("/settings/account/birth-date", {"birth_date": years_ago(17)})
    assert response.status_code == 302
    user = User.objects.get(account__id=bob.id)
    assert user.is_minor and Account.objects.get(pk=bob.id).is_private
    cy = Client()
    body = {"email": "cy@example.com", "password": PASSWORD, "handle": "cy"}
    assert cy.post(ACCOUNTS, json.dumps(body), content_type="application/json").status_code == 201
    assert Person(cy, "cy", 0).dm(bob, "hi bob").status_code == 403
    # A minor can't make themselves an adult (page or API); nothing changes.
    page = bob.client.post("/settings/account/birth-date", {"birth_date": years_ago(30)})
    assert page.status_code == 422 and "Ask an admin" in page.content.decode()
    api = bob.client.patch(
        ACCOUNTS + "me",
        json.dumps({"birth_date": years_ago(30), "bio": "new bio"}),
        content_type="application/json",
    )
    assert api.status_code == 403 and api.json()["code"] == "age_locked"
    user.refresh_from_db()
    assert user.is_minor and user.birth_date == date.fromisoformat(years_ago(17))
    assert Account.objects.get(pk=bob.id).bio == ""  # the whole change was refused


def test_an_adult_may_correct_their_date_and_a_minor_comes_of_age_on_their_birthday(ana, bob):
    assert (
        bob.client.patch(
            ACCOUNTS + "me", json.dumps({"birth_date": years_ago(40)}), content_type="application/json"
        ).json()["is_minor"]
        is False
    )
    assert (
        bob.client.patch(
            ACCOUNTS + "me", json.dumps({"birth_date": years_ago(35)}), content_type="application/json"
        ).status_code
        == 200
    )
    # Born 18 years ago tomorrow: still a minor today; set directly, as time passing would.
    User.objects.filter(account__id=bob.id).update(birth_date=years_ago(18, days=1), is_minor=True)
    assert ana.dm(bob, "too soon").status_code == 403
    User.objects.filter(account__id=bob.id).update(birth_date=years_ago(18))  # today is the birthday
    assert ana.dm(bob, "happy birthday").status_code == 201
