"""Editing a profile through PATCH /accounts/me, and reading profiles through GET /accounts/{handle}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spool.accounts.models import User
from spool.identities.models import Account
from tests.identities.people import API, Person


def row(person: Person) -> Account:
    return Account.objects.get(pk=person.id)


def assert_refused(response: Any, code: str, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["code"], body.get("field")) == (code, field), body


def test_profile_fields_are_saved_and_shown(person: Callable[..., Person], anon: Any) -> None:
    ana = person("ana")
    response = ana.patch(
        "me",
        {
            "display_name": "  Ana   Silva ",
            "bio": "Weaver.\r\nLikes spools.",
            "links": [{"url": "https://ana.example/shop", "title": "Shop"}, "ana.example"],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Ana Silva"
    assert body["bio"] == "Weaver.\nLikes spools."
    assert body["links"] == [
        {"url": "https://ana.example/shop", "title": "Shop"},
        {"url": "https://ana.example", "title": ""},
    ]
    public = anon.get(API + "ana").json()
    assert public["bio"] == "Weaver.\nLikes spools."
    assert public["links"][0]["url"] == "https://ana.example/shop"
    assert "email" not in public


def test_leaving_a_field_out_keeps_it(person: Callable[..., Person]) -> None:
    ana = person("ana")
    ana.patch("me", {"bio": "Hello", "display_name": "Ana"})
    body = ana.patch("me", {"display_name": "Ana S."}).json()
    assert body["bio"] == "Hello"
    assert ana.patch("me", {"bio": None}).json()["bio"] == "Hello"
    assert ana.patch("me", {"bio": ""}).json()["bio"] == ""


def test_bio_of_150_is_accepted_and_151_refused(person: Callable[..., Person]) -> None:
    ana = person("ana")
    assert ana.patch("me", {"bio": "b" * 150}).status_code == 200
    assert_refused(ana.patch("me", {"bio": "c" * 151}), "bio_too_long", "bio")
    assert row(ana).bio == "b" * 150
    # Surrounding whitespace does not count.
    assert ana.patch("me", {"bio": "  " + "d" * 150 + "\n"}).status_code == 200


def test_display_name_of_50_is_accepted_and_51_refused(person: Callable[..., Person]) -> None:
    ana = person("ana")
    assert ana.patch("me", {"display_name": "n" * 50}).status_code == 200
    assert_refused(ana.patch("me", {"display_name": "m" * 51}), "display_name_too_long", "display_name")
    assert row(ana).display_name == "n" * 50


def test_five_links_are_accepted_and_six_refused(person: Callable[..., Person]) -> None:
    ana = person("ana")
    five = [f"https://example.com/{i}" for i in range(5)]
    assert ana.patch("me", {"links": five}).status_code == 200
    assert_refused(ana.patch("me", {"links": [*five, "https://example.com/5"]}), "too_many_links", "links")
    assert [link["url"] for link in row(ana).links] == five


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT://%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/file",
        "mailto:ana@example.com",
        "not a url",
        "https://",
        "https://exa mple.com",
        "https://user:secret@example.com/",
        "http://localhost:99999/",
        "",
    ],
)
def test_bad_urls_are_refused_and_nothing_changes(person: Callable[..., Person], url: str) -> None:
    ana = person("ana")
    ana.patch("me", {"links": ["https://ok.example"], "bio": "kept"})
    response = ana.patch("me", {"links": ["https://fine.example", url], "bio": "changed"})
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "links.1.url"
    assert row(ana).links == [{"url": "https://ok.example", "title": ""}]
    assert row(ana).bio == "kept"


def test_urls_are_normalised(person: Callable[..., Person]) -> None:
    ana = person("ana")
    body = ana.patch(
        "me",
        {
            "links": [
                "HTTPS://Example.COM:443/Path?q=1",
                "example.org:8080/x",
                "http://Example.net:80",
                "sub.example.io",
            ]
        },
    ).json()
    assert [link["url"] for link in body["links"]] == [
        "https://example.com/Path?q=1",
        "https://example.org:8080/x",
        "http://example.net",
        "https://sub.example.io",
    ]


def test_link_length_limit_at_the_edge(person: Callable[..., Person]) -> None:
    ana = person("ana")
    base = "https://example.com/"
    at_limit = base + "a" * (2000 - len(base))
    assert len(at_limit) == 2000
    assert ana.patch("me", {"links": [at_limit]}).status_code == 200
    assert_refused(ana.patch("me", {"links": [at_limit + "a"]}), "link_too_long", "links.0.url")


def test_link_titles_and_duplicates(person: Callable[..., Person]) -> None:
    ana = person("ana")
    assert ana.patch("me", {"links": [{"url": "https://a.example", "title": "t" * 50}]}).status_code == 200
    assert_refused(
        ana.patch("me", {"links": [{"url": "https://a.example", "title": "t" * 51}]}),
        "link_title_too_long",
        "links.0.title",
    )
    assert_refused(
        ana.patch("me", {"links": ["https://a.example/x", "HTTPS://A.EXAMPLE/x"]}),
        "duplicate_link",
        "links.1.url",
    )


def test_one_bad_field_changes_nothing(person: Callable[..., Person]) -> None:
    ana = person("ana")
    response = ana.patch("me", {"display_name": "New", "is_private": True, "bio": "x" * 151})
    assert response.status_code == 422
    account = row(ana)
    assert (account.display_name, account.is_private, account.bio) == ("", False, "")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"is_verified": True}, "is_verified"),
        ({"followers_count": 1000}, "followers_count"),
        ({"handle": "someone_else"}, "handle"),
        ({"bio": 12}, "bio"),
        ({"is_private": "maybe"}, "is_private"),
        ({"links": "https://example.com"}, "links"),
    ],
)
def test_fields_that_cannot_be_set_are_refused(
    person: Callable[..., Person], payload: dict[str, Any], field: str
) -> None:
    ana = person("ana")
    response = ana.patch("me", payload)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    account = row(ana)
    assert not account.is_verified
    assert account.followers_count == 0
    assert account.handle == "ana"


def test_verified_badge_is_for_staff_only(person: Callable[..., Person], anon: Any) -> None:
    ana, bea = person("ana"), person("bea")
    response = bea.client.put(API + "ana/verified", {"verified": True}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "staff_only"
    assert not row(ana).is_verified
    User.objects.filter(email=bea.email).update(is_staff=True)  # made staff by an operator
    response = bea.client.put(API + "ana/verified", {"verified": True}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["is_verified"] is True
    assert anon.get(API + "ana").json()["is_verified"] is True
    bea.client.put(API + "ana/verified", {"verified": False}, content_type="application/json")
    assert not row(ana).is_verified
    response = anon.put(API + "ana/verified", {"verified": True}, content_type="application/json")
    assert response.status_code == 401


def test_set_verified_checks_the_admin(person: Callable[..., Person]) -> None:
    from spool.core.errors import Forbidden
    from spool.identities.services import set_verified

    ana, bea = person("ana"), person("bea")
    with pytest.raises(Forbidden):
        set_verified(User.objects.get(email=bea.email), row(ana), True)
    assert not row(ana).is_verified
    assert set_verified(None, row(ana), True).is_verified  # the operator's own tooling, no person behind it


def test_profile_lookup_is_case_insensitive_and_unknown_is_404(
    person: Callable[..., Person], anon: Any
) -> None:
    person("Ana")
    assert anon.get(API + "ANA").json()["handle"] == "Ana"
    assert anon.get(API + "@ana").json()["handle"] == "Ana"
    response = anon.get(API + "nobody")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_signed_out_visitors_cannot_edit(anon: Any) -> None:
    response = anon.patch(API + "me", {"bio": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_writes_need_the_csrf_token(person: Callable[..., Person]) -> None:
    from django.test import Client

    person("ana")
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(email="ana@example.com", password="correct horse battery staple")
    response = browser.patch(API + "me", {"bio": "forged"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"]
    assert Account.objects.get(handle="ana").bio == ""
