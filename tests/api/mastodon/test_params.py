"""Mastodon-style parameters read the same from a query, a form, multipart or JSON, on any method."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from spool.api.mastodon.params import read_params
from spool.core.errors import ValidationError
from spool.oauth import scopes

rf = RequestFactory()
FORM = "status=hi&media_ids[]=1&media_ids[]=2&poll[options][]=a&poll[options][]=b&poll[expires_in]=300"
EXPECTED = {"status": "hi", "media_ids": ["1", "2"], "poll": {"options": ["a", "b"], "expires_in": "300"}}


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_form_bodies_nest_brackets(method: str) -> None:
    request = getattr(rf, method)("/x", FORM, content_type="application/x-www-form-urlencoded")
    assert read_params(request) == EXPECTED


def test_query_strings_nest_the_same_way() -> None:
    assert read_params(rf.get("/x?" + FORM)) == EXPECTED


def test_json_bodies_pass_through() -> None:
    request = rf.put("/x", '{"status": "hi", "media_ids": ["1"]}', content_type="application/json")
    assert read_params(request) == {"status": "hi", "media_ids": ["1"]}


def test_multipart_on_put_is_parsed() -> None:
    request = rf.post("/x", {"description": "alt", "focus": "0.1,0.2"})
    request.method = "PUT"
    assert read_params(request) == {"description": "alt", "focus": "0.1,0.2"}


@pytest.mark.parametrize("body", ["{not json", "[1, 2]"])
def test_bad_json_is_a_422(body: str) -> None:
    with pytest.raises(ValidationError):
        read_params(rf.post("/x", body, content_type="application/json"))


def test_scopes_imply_their_granular_parts() -> None:
    held = scopes.parse("read follow")
    assert scopes.grants(held, "read:statuses")
    assert scopes.grants(held, "write:follows")
    assert scopes.grants(held, "profile")
    assert not scopes.grants(held, "write:statuses")
    assert not scopes.grants(scopes.parse("write:statuses"), "write:media")


def test_unknown_or_unregistered_scopes_are_refused() -> None:
    with pytest.raises(ValidationError):
        scopes.parse("read telepathy")
    with pytest.raises(ValidationError):
        scopes.parse("write", allowed=scopes.parse("read"))
    assert scopes.parse("read:statuses", allowed=scopes.parse("read")) == {"read:statuses"}


def test_service_refusals_read_like_mastodon_validation_errors(mastodon: Any) -> None:
    response = mastodon("ana").post("/api/v1/statuses", {"status": "x" * 501})
    assert response.status_code == 422
    assert response.json()["error"].startswith("Validation failed: ")
