"""Mastodon API paths answer with a trailing slash too, as Mastodon's do (Mastodon.py asks for
``/api/v1/instance/`` and ``/api/v1/conversations/``)."""

from __future__ import annotations

from typing import Any

import pytest

from spool.posts.models import Post

pytestmark = pytest.mark.django_db


def test_a_trailing_slash_reaches_the_same_endpoint(anon: Any, mastodon: Any) -> None:
    assert anon.get("/api/v1/instance/").json() == anon.get("/api/v1/instance").json()
    ana = mastodon("ana", scopes="read")
    with_slash = ana.get("/api/v1/accounts/verify_credentials/")
    assert with_slash.status_code == 200 and with_slash.json()["acct"] == "ana"
    assert ana.get("/api/v1/accounts/verify_credentials").json()["id"] == with_slash.json()["id"]
    writer = mastodon("cy", scopes="write")
    posted = writer.post("/api/v1/statuses/", {"status": "Written through a trailing slash"})
    assert posted.status_code == 200 and Post.objects.filter(author__handle="cy").count() == 1


def test_refusals_and_unknown_paths_stay_as_they_are(anon: Any, mastodon: Any) -> None:
    assert anon.get("/api/v1/accounts/verify_credentials/").status_code == 401
    assert anon.get("/api/v1/no-such-thing/").status_code == 404
    assert anon.get("/api/v1/instance//").status_code == 404
    reader = mastodon("bob", scopes="read")
    refused = reader.post("/api/v1/statuses/", {"status": "no write scope"})
    assert refused.status_code == 403 and not Post.objects.exists()
