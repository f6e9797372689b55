"""Inbound handlers on GoToSocial's own output (``tests/fixtures/activitypub/gotosocial/``; see the README
there for where each payload comes from). GoToSocial names its test server ``localhost:8080``; the stand-in
fediverse answers for it. As in ``test_inbound.py``, the only changes are the addressees (a payload naming
a person or post on GoToSocial's test server is pointed at our local person or post), and the actors'
public keys, replaced by keys the test signs with."""

from __future__ import annotations

from typing import Any

import pytest

from spool.federation.models import RemoteActor, RemotePost
from spool.identities.models import FollowRequest
from spool.posts.models import Mention
from tests.federation.conftest import captured, deliver_to_inbox
from tests.federation.test_inbound import actor_uri, follow_remote, point_at, post_uri

GTS = "http://localhost:8080"
ZORK = f"{GTS}/users/the_mighty_zork"
ZORK_STATUS = f"{ZORK}/statuses/01F8MHAMCHF6Y650WCRSCP4WMY"


@pytest.fixture
def ana(federating: Any) -> Any:
    return federating("ana")


def _admin(fediverse: Any) -> Any:
    """GoToSocial's test admin: no captured document of its own in the fixtures, so a stand-in one."""
    return fediverse.actor(f"{GTS}/users/admin")


def test_gotosocial_actor_with_shared_inbox_and_fields(ana: Any, fediverse: Any) -> None:
    fediverse.captured_actor(captured("gotosocial/person-shared-inbox"))
    zork = follow_remote(ana, "the_mighty_zork@localhost:8080")
    stored = RemoteActor.objects.get(account=zork)
    assert (zork.handle, zork.domain) == ("the_mighty_zork", "localhost:8080")
    assert zork.display_name == "original zork (he/they)"
    assert zork.bio == "hey yo this is my profile!"
    assert stored.shared_inbox == f"{GTS}/sharedInbox"  # from ``endpoints``
    assert stored.key_id == f"{ZORK}/main-key"
    assert stored.url == f"{GTS}/@the_mighty_zork"


def test_gotosocial_create_with_content_warning(anon: Any, ana: Any, fediverse: Any) -> None:
    zork = fediverse.captured_actor(captured("gotosocial/person-shared-inbox"))
    follow_remote(ana, "the_mighty_zork@localhost:8080")
    assert deliver_to_inbox(anon, zork, captured("gotosocial/create-note-cw")).status_code == 202
    remote = RemotePost.objects.get(uri=ZORK_STATUS)
    warning, body = "introduction post", "hello everyone!"
    assert remote.post.text == f"{warning}\n\n{body}"
    assert remote.post.spoilers == [[len(warning) + 2, len(body)]]  # the warning shows; the rest is hidden
    assert remote.url == f"{GTS}/@the_mighty_zork/statuses/01F8MHAMCHF6Y650WCRSCP4WMY"
    assert remote.post.author.acct == "the_mighty_zork@localhost:8080"


def wrapped_in_create(note: dict[str, Any]) -> dict[str, Any]:
    """GoToSocial's Create wrapper, as its fixtures show it for another status, around ``note`` (constructed:
    the captured payloads are the bare notes)."""
    return {
        "id": f"{note['id']}/activity#Create",
        "type": "Create",
        "actor": note["attributedTo"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }


def test_gotosocial_attachment_alt_text_and_hashtag(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = _admin(fediverse)
    follow_remote(ana, "admin@localhost:8080")
    note = captured("gotosocial/note-attachment-hashtag")
    create = wrapped_in_create(note)
    assert deliver_to_inbox(anon, admin, create).status_code == 202
    remote = RemotePost.objects.get(uri=note["id"])
    image = "01F8MH17FWEB39HZJ76B6VXSKF/attachment/original/01F8MH6NEM8D7527KZAECTCR76.jpg"
    alt = "Black and white image of some 50's style text saying: Welcome On Board"  # GoToSocial's ``summary``
    expected = {"url": f"{GTS}/fileserver/{image}", "media_type": "image/jpeg", "alt": alt}
    assert remote.attachments == [expected]
    post = remote.post
    assert post.text == "hello world! #welcome ! first post on the instance :rainbow: !"
    assert post.topic is not None and post.topic.display == "welcome"
    assert post.spoilers == [] and not post.sensitive


def test_gotosocial_reply_with_mention_to_a_local_post(anon: Any, ana: Any, fediverse: Any) -> None:
    admin = _admin(fediverse)
    parent = ana.write("welcome me")
    note = captured("gotosocial/note-reply-mention")
    # Addressees: zork and zork's status become ana and her post (the status first: its id contains zork's).
    note = point_at(point_at(note, ZORK_STATUS, post_uri(parent)), ZORK, actor_uri(ana))
    create = wrapped_in_create(note)
    assert deliver_to_inbox(anon, admin, create).status_code == 202
    reply = RemotePost.objects.get(uri=note["id"]).post
    assert reply.reply_to_id == int(parent["id"])
    assert reply.text == "hi @the_mighty_zork welcome to the instance!"
    assert Mention.objects.filter(post=reply, account_id=ana.id).exists()
    assert reply.reply_to.replies_count == 1
    notifications = ana.client.get("/api/spool/v1/notifications/").json()["items"]
    assert {n["kind"] for n in notifications} & {"reply", "mention"}, notifications


def test_gotosocial_locked_account_with_fields_gets_a_follow_request(ana: Any, fediverse: Any) -> None:
    fediverse.captured_actor(captured("gotosocial/person-with-fields"))
    turtle = follow_remote(ana, "1happyturtle@localhost:8080")
    assert turtle.is_private  # manuallyApprovesFollowers
    assert turtle.display_name == "happy little turtle :3"
    assert turtle.bio == "i post about things that concern me"
    assert RemoteActor.objects.get(account=turtle).shared_inbox == ""  # none published
    assert FollowRequest.objects.filter(requester_id=ana.id, target=turtle).exists()
    [sent] = fediverse.deliveries("Follow")
    assert sent.path == "/users/1happyturtle/inbox"  # so the Follow went to the personal inbox
