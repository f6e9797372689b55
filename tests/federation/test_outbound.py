"""Outgoing activities: what local actions send, to whom (shared inboxes, once each), signed; edits and
deletes reaching everyone who received the post; what degrades; and delivery that retries, backs off and
gives up."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db.backends.signals import connection_created
from django.utils import timezone

from spool.federation.delivery import send_deliveries, send_delivery
from spool.federation.models import Delivery, Server
from spool.federation.tasks import retry_deliveries
from tests.api.mastodon.conftest import token_client
from tests.federation.conftest import deliver_to_inbox, without_context

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def remote_follow(anon: Any, fediverse: Any, actor_url: str, target: Any) -> Any:
    """``actor_url`` (served by the stand-in fediverse) follows local ``target``."""
    actor = fediverse.actor(actor_url)
    follow = {
        "id": f"{actor_url}#follows/1",
        "type": "Follow",
        "actor": actor_url,
        "object": f"http://testserver/ap/accounts/{target.id}",
    }
    assert deliver_to_inbox(anon, actor, follow).status_code == 202
    return actor


@pytest.fixture
def ana(federating: Any) -> Any:
    return federating("ana")


def test_a_post_goes_once_to_each_servers_shared_inbox(anon: Any, ana: Any, fediverse: Any) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    remote_follow(anon, fediverse, "https://remote.example/users/two", ana)
    remote_follow(anon, fediverse, "https://other.example/users/three", ana)
    post = ana.write("hello fediverse #weaving")
    creates = fediverse.deliveries("Create")
    assert sorted((c.host, c.path) for c in creates) == [
        ("other.example", "/inbox"),
        ("remote.example", "/inbox"),
    ]
    activity = creates[0].activity
    assert activity["actor"] == f"http://testserver/ap/accounts/{ana.id}"
    note = activity["object"]
    assert note["id"] == f"http://testserver/ap/posts/{post['id']}"
    assert note["content"] == "<p>hello fediverse #weaving</p>" and note["to"] == [PUBLIC]
    assert {"type": "Hashtag", "name": "#weaving"}.items() <= note["tag"][0].items()
    assert Delivery.objects.filter(state="delivered", body__type="Create").count() == 2


def test_profiles_that_did_not_opt_in_send_nothing(anon: Any, person: Any, fediverse: Any) -> None:
    bo = person("bo")
    actor = fediverse.actor("https://remote.example/users/one")
    follow = {
        "id": "https://remote.example/users/one#follows/1",
        "type": "Follow",
        "actor": actor.uri,
        "object": f"http://testserver/ap/accounts/{bo.id}",
    }
    deliver_to_inbox(anon, actor, follow)
    assert [d.activity["type"] for d in fediverse.deliveries()] == ["Reject"]
    bo.write("only on Spool")
    assert fediverse.deliveries("Create") == []


def test_edits_and_deletes_reach_everyone_who_received_the_post(anon: Any, ana: Any, fediverse: Any) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    post = ana.write("first version")
    remote_follow(anon, fediverse, "https://other.example/users/late", ana)  # followed after the post
    response = ana.send("patch", str(post["id"]), {"text": "second version"})
    assert response.status_code == 200, response.content
    [update] = [u for u in fediverse.deliveries("Update") if u.host == "remote.example"]
    assert update.activity["object"]["content"] == "<p>second version</p>"
    assert "updated" in update.activity["object"]
    # ana now opts out (which sends a Delete of her actor); the post's own Delete must still reach everyone
    # who received the post
    ana.client.put("/api/spool/v1/federation/me", '{"enabled": false}', content_type="application/json")
    assert ana.send("delete", str(post["id"])).status_code in (200, 204)
    deletes = [d for d in fediverse.deliveries("Delete") if isinstance(d.activity["object"], dict)]
    assert sorted(d.host for d in deletes) == ["other.example", "remote.example"]
    assert deletes[0].activity["object"] == {
        "id": f"http://testserver/ap/posts/{post['id']}",
        "type": "Tombstone",
    }


def test_text_attachments_and_spoilers_degrade(anon: Any, ana: Any, fediverse: Any) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    post = ana.write("the ending: he lives", spoilers=[[12, 8]], attachment_text="A long story " * 50)
    note = fediverse.deliveries("Create")[0].activity["object"]
    assert note["sensitive"] is True and note["summary"] == "Spoilers"
    assert note["spoilerRanges"] == [[12, 8]]
    assert f"/@ana/post/{post['id']}" in note["content"]  # the attachment travels as a link
    assert note["attachmentText"].startswith("A long story")


def test_a_poll_travels_as_a_question(anon: Any, ana: Any, fediverse: Any) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    ana.write("tea or coffee?", poll_options=["tea", "coffee"])
    note = fediverse.deliveries("Create")[0].activity["object"]
    assert note["type"] == "Question" and [o["name"] for o in note["oneOf"]] == ["tea", "coffee"]


def test_following_liking_reposting_and_blocking_a_remote_account(
    anon: Any, ana: Any, fediverse: Any
) -> None:
    zed = fediverse.actor("https://remote.example/users/zed")
    api = token_client(ana.account)
    [found] = api.get("/api/v2/search", q="@zed@remote.example", resolve="true").json()["accounts"]
    assert found["acct"] == "zed@remote.example"
    assert api.post(f"/api/v1/accounts/{found['id']}/follow").status_code == 200
    [follow] = fediverse.deliveries("Follow")
    assert follow.path == "/inbox" and follow.activity["object"] == zed.uri
    create = {
        "id": "https://remote.example/notes/1/activity",
        "type": "Create",
        "actor": zed.uri,
        "object": {
            "id": "https://remote.example/notes/1",
            "type": "Note",
            "attributedTo": zed.uri,
            "content": "<p>from afar</p>",
            "to": [PUBLIC],
        },
    }
    deliver_to_inbox(anon, zed, create)
    status = api.get(f"/api/v1/accounts/{found['id']}/statuses").json()
    assert len(status) == 1 and "from afar" in status[0]["content"]
    status_id = status[0]["id"]
    assert api.post(f"/api/v1/statuses/{status_id}/favourite").status_code == 200
    assert api.post(f"/api/v1/statuses/{status_id}/reblog").status_code == 200
    assert api.post(f"/api/v1/statuses/{status_id}/unfavourite").status_code == 200
    like = fediverse.deliveries("Like")[0].activity
    assert like["object"] == "https://remote.example/notes/1"
    assert fediverse.deliveries("Announce")[0].activity["object"] == "https://remote.example/notes/1"
    undo = fediverse.deliveries("Undo")[0].activity
    assert undo["object"]["type"] == "Like" and undo["object"]["object"] == "https://remote.example/notes/1"
    assert api.post(f"/api/v1/accounts/{found['id']}/block").status_code == 200
    [block] = fediverse.deliveries("Block")
    assert block.activity["object"] == zed.uri
    assert api.post(f"/api/v1/accounts/{found['id']}/unblock").status_code == 200
    assert fediverse.deliveries("Undo")[-1].activity["object"] == without_context(block.activity)  # as sent


def test_a_failing_server_is_retried_with_backoff_then_succeeds(anon: Any, ana: Any, fediverse: Any) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    fediverse.inbox_status["remote.example/inbox"] = [503, 500]
    ana.write("try, try again")
    delivery = Delivery.objects.get(body__type="Create")
    assert delivery.state == "pending" and delivery.attempts == 1 and "503" in delivery.last_error
    first_gap = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=20) < first_gap <= timedelta(seconds=30)
    assert retry_deliveries() == 0  # not due yet: nothing is sent early
    Delivery.objects.filter(id=delivery.id).update(next_attempt_at=timezone.now())
    retry_deliveries()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at - timezone.now() > timedelta(seconds=50)
    server = Server.objects.get(domain="remote.example")
    assert server.consecutive_failures == 2 and server.failing_since is not None
    Delivery.objects.filter(id=delivery.id).update(next_attempt_at=timezone.now())
    retry_deliveries()
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and len(fediverse.deliveries("Create")) == 1
    server.refresh_from_db()
    assert server.consecutive_failures == 0 and server.failing_since is None


def test_a_permanent_refusal_is_not_retried(anon: Any, ana: Any, fediverse: Any) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    fediverse.inbox_status["remote.example/inbox"] = [410]
    ana.write("gone")
    delivery = Delivery.objects.get(body__type="Create")
    assert delivery.state == "failed" and "410" in delivery.last_error


def test_deliveries_are_given_up_past_the_horizon(
    anon: Any, ana: Any, fediverse: Any, spool_config: Any
) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    fediverse.inbox_status["remote.example/inbox"] = [503] * 10
    ana.write("into the void")
    delivery = Delivery.objects.get(body__type="Create")
    Delivery.objects.filter(id=delivery.id).update(
        created_at=timezone.now() - timedelta(hours=spool_config.federation_delivery_horizon_hours + 1),
        next_attempt_at=timezone.now(),
    )
    assert send_delivery(delivery.id) == "failed"
    assert send_delivery(delivery.id) == "skipped"  # idempotent: a finished delivery is never sent again


def test_a_delivery_in_flight_is_not_sent_twice(anon: Any, ana: Any, fediverse: Any) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    fediverse.inbox_status["remote.example/inbox"] = [503]
    ana.write("once")
    delivery = Delivery.objects.get(body__type="Create")
    # A worker claimed it (lease) and died: it is not due until the lease runs out.
    Delivery.objects.filter(id=delivery.id).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert send_delivery(delivery.id) == "skipped"
    Delivery.objects.filter(id=delivery.id).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    retry_deliveries()
    assert len(fediverse.deliveries("Create")) == 1
    assert json.loads(fediverse.deliveries("Create")[0].body)["object"]["content"] == "<p>once</p>"


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_posted_side_by_side_by_threads_that_open_no_connection(
    anon: Any, ana: Any, fediverse: Any
) -> None:
    remote_follow(anon, fediverse, "https://remote.example/users/one", ana)
    remote_follow(anon, fediverse, "https://other.example/users/two", ana)
    fediverse.inbox_status["remote.example/inbox"] = [503]
    fediverse.inbox_status["other.example/inbox"] = [503]
    ana.write("side by side")
    ids = list(Delivery.objects.filter(body__type="Create").values_list("id", flat=True))
    Delivery.objects.filter(id__in=ids).update(next_attempt_at=timezone.now())
    opened: list[str] = []

    def note(sender: Any, connection: Any, **kwargs: Any) -> None:
        opened.append(threading.current_thread().name)

    connection_created.connect(note)
    try:
        assert send_deliveries(ids) == {"delivered": 2}
    finally:
        connection_created.disconnect(note)
    # The claims and outcomes ran on the task's own connection; the sending threads only POSTed.
    assert [name for name in opened if name.startswith("delivery-")] == []
    assert Delivery.objects.filter(id__in=ids, state="delivered", attempts=2).count() == 2
    assert len(fediverse.deliveries("Create")) == 2


def test_activities_made_in_the_same_millisecond_get_their_own_ids(monkeypatch: Any) -> None:
    """Two Accepts one batch sends within a millisecond (two Follows applied back to back) are two
    activities: the second used to share the first's id and was dropped as a repeat delivery."""
    import time

    from spool.federation.outbound.accept import accept

    monkeypatch.setattr(time, "time_ns", lambda: 1_750_000_000_123_456_789)
    follow = {"id": "http://mastodon.example.org/users/admin#follows/1", "type": "Follow"}
    assert accept(1, follow)["id"] != accept(1, follow)["id"]
