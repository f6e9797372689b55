"""Deleting a local account sends a signed ``Delete(Person)`` to every server that knew it: the servers of
its followers (shared inboxes) and every server it delivered to. Inbound ``Delete(Person)`` removes the
remote account."""

from __future__ import annotations

from typing import Any

from spool.federation.models import Delivery, DepartedKey, LocalKey
from spool.federation.services import resolve_remote_account
from spool.federation.signatures import verify_request
from spool.identities.models import Account
from spool.identities.services import follow_account
from tests.federation.conftest import deliver_to_inbox
from tests.federation.test_outbound import remote_follow


def test_deleting_an_account_sends_a_signed_delete_person_to_every_server_that_knew_it(
    anon: Any, federating: Any, fediverse: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ana = federating("ana")
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    remote_follow(anon, fediverse, "https://remote.example/users/two", ana)
    # A server ana only ever delivered to (she follows someone there; nobody there follows her).
    fediverse.actor("https://other.example/users/author")
    author = resolve_remote_account("@author@other.example")
    assert author is not None
    with django_capture_on_commit_callbacks(execute=True):
        follow_account(ana.account, author)
    assert fediverse.deliveries("Follow")
    public_pem = LocalKey.objects.get(account_id=ana.id).public_key_pem
    fediverse.received.clear()

    ana.delete_account()

    deletes = fediverse.deliveries("Delete")
    actor_uri = f"http://testserver/ap/accounts/{ana.id}"
    # One per server, to its shared inbox.
    assert sorted((d.host, d.path) for d in deletes) == [
        ("other.example", "/inbox"),
        ("remote.example", "/inbox"),
    ]
    for delivery in deletes:
        assert delivery.activity["object"] == actor_uri and delivery.activity["actor"] == actor_uri
        verified = verify_request(
            "POST", delivery.path, delivery.headers, delivery.body, lambda k, r: (public_pem, actor_uri)
        )
        assert verified.key_id == f"{actor_uri}#main-key"
    assert not Account.objects.filter(id=ana.id).exists()
    # Delivered: the departed key is gone with the last pending delivery.
    assert not Delivery.objects.filter(state="pending").exists()
    assert not DepartedKey.objects.exists()


def test_an_account_no_server_knew_sends_nothing(federating: Any, fediverse: Any) -> None:
    ana = federating("ana")
    ana.write("nobody elsewhere follows me")
    ana.delete_account()
    assert fediverse.deliveries("Delete") == [] and not DepartedKey.objects.exists()


def test_an_inbound_delete_person_removes_the_remote_account(
    anon: Any, federating: Any, fediverse: Any
) -> None:
    ana = federating("ana")
    actor = remote_follow(anon, fediverse, "https://remote.example/users/gone", ana)
    assert Account.objects.filter(domain="remote.example", handle="gone").exists()
    activity = {
        "id": f"{actor.uri}#delete",
        "type": "Delete",
        "actor": actor.uri,
        "object": actor.uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    }
    assert deliver_to_inbox(anon, actor, activity).status_code == 202
    assert not Account.objects.filter(domain="remote.example", handle="gone").exists()
    assert ana.account.followers_count == 0
