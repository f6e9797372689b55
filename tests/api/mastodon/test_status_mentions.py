"""``mentions[]`` on statuses, as Mastodon's ``StatusMention`` describes them (``acct``: "Equivalent to
``username`` for local users, or ``username@domain`` for remote users"; ``url``: the profile's location):
a local account bare with its page here, a remote one ``user@server`` with its page on its own server —
on a single status, on the home timeline's cached path and on a page of statuses."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from spool.federation.models import RemoteActor
from spool.identities.models import Account
from spool.identities.services import follow_account, register_account
from spool.identities.services.remote import upsert_remote_account
from spool.posts.services import create_post
from spool.posts.services.remote import receive_remote_post
from tests.api.mastodon.conftest import token_client
from tests.api.mastodon.shapes import assert_shape

pytestmark = pytest.mark.django_db(transaction=True)

FAR_PAGE = "https://social.example/@far"


def _local(handle: str) -> Account:
    return register_account(
        email=f"{handle}@example.com", password="correct horse battery staple", handle=handle
    )


@pytest.fixture
def world() -> dict[str, Any]:
    ana, bo = _local("ana"), _local("bo")
    far = upsert_remote_account(handle="far", domain="social.example")
    RemoteActor.objects.create(
        account=far,
        uri="https://social.example/users/far",
        inbox="https://social.example/users/far/inbox",
        url=FAR_PAGE,
        key_id="https://social.example/users/far#main-key",
        public_key_pem="",
        fetched_at=timezone.now(),
    )
    # No actor document held for this one: its page here stands in for its own.
    near = upsert_remote_account(handle="near", domain="other.example:8443")
    follow_account(bo, far)
    text = "@ana @far @near@other.example:8443 hello"
    remote = receive_remote_post(far, text=text, mentioned=[ana, far, near])
    local = create_post(ana, text="hi @bo")
    return {"ana": ana, "bo": bo, "far": far, "near": near, "remote": remote.id, "local": local.id}


def _expected(world: dict[str, Any]) -> list[dict[str, str]]:
    ana, far, near = world["ana"], world["far"], world["near"]
    return [
        {"id": str(ana.pk), "username": "ana", "acct": "ana", "url": "http://127.0.0.1:8000/@ana"},
        {"id": str(far.pk), "username": "far", "acct": "far@social.example", "url": FAR_PAGE},
        {
            "id": str(near.pk),
            "username": "near",
            "acct": "near@other.example:8443",
            "url": "http://127.0.0.1:8000/@near@other.example:8443",
        },
    ]


def _by_id(mentions: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(mentions, key=lambda m: int(m["id"]))


def test_a_status_names_remote_mentions_by_user_at_server(world: dict[str, Any]) -> None:
    api = token_client(world["bo"])
    status = api.get(f"/api/v1/statuses/{world['remote']}").json()
    assert_shape("Status", status)
    assert _by_id(status["mentions"]) == _by_id(_expected(world))
    local = api.get(f"/api/v1/statuses/{world['local']}").json()
    bo = world["bo"]
    assert local["mentions"] == [
        {"id": str(bo.pk), "username": "bo", "acct": "bo", "url": "http://127.0.0.1:8000/@bo"}
    ]


def test_the_home_timeline_and_account_statuses_agree(world: dict[str, Any]) -> None:
    api = token_client(world["bo"])
    for _ in range(2):  # the second read comes from the cache of rendered statuses
        home = api.get("/api/v1/timelines/home").json()
        assert_shape("Status", home)
        [status] = [s for s in home if s["id"] == str(world["remote"])]
        assert _by_id(status["mentions"]) == _by_id(_expected(world))
    page = api.get(f"/api/v1/accounts/{world['far'].pk}/statuses").json()
    assert _by_id(page[0]["mentions"]) == _by_id(_expected(world))
