"""Activities from Threads, in the shapes a live pilot recorded Threads sending.

No Threads activity body has been published (see ``tests/fixtures/activitypub/README.md``, section
Threads), but ``thematters/matters-fediverse-gateway`` recorded, from its May to June 2026 pilot against
threads.net, what Threads sent and answered: the ids of a Threads person and of the Likes it sent, its
shared inbox, and the status of its answers. A Rust server's signing code quotes the ``Signature`` header of
the fetches Threads makes (its instance actor, ``threads.sys``). Those ids and headers are used here as
recorded; the bodies around them (``type``, ``actor``, ``object``) are constructed (labelled so), in the
ActivityStreams shape every server uses for them, and the actor documents are constructed with keys the
test holds.
"""

from __future__ import annotations

from typing import Any

import pytest

from spool.federation.actors import account_for_actor
from spool.federation.models import Delivery, RemoteActor
from spool.federation.signatures import parse_signature
from spool.identities.models import Account, Follow
from spool.posts.models import Like
from tests.api.mastodon.conftest import token_client
from tests.federation.conftest import deliver_to_inbox, without_context
from tests.federation.fediverse import signed_headers
from tests.federation.test_inbound import actor_uri, post_uri
from tests.federation.test_inbound_threads import constructed_actor
from tests.federation.test_threads_requirements import threads_follows

pytestmark = pytest.mark.django_db

# Recorded: the Threads person who followed the pilot's account and liked its notes, on the bare host with
# a trailing slash (``…/03-ops/threads-follow-and-delivery-regression-20260602.md``), and the ids of two of
# its Likes, each a fragment under that id (``…/03-ops/threads-receiver-visible-regression-20260604.md``).
THREADS_PERSON = "https://threads.net/ap/users/17841401579146452/"
LIKE_IDS = (f"{THREADS_PERSON}#likes/869695086184604", f"{THREADS_PERSON}#likes/1009601838311603")
# Recorded: the key id and the signed headers of Threads' fetches (quoted in a Rust server's signing code).
THREADS_FETCH_SIGNATURE = (
    'keyId="https://threads.net/ap/users/threads.sys/#main-key",algorithm="rsa-sha256",'
    'headers="(request-target) host date",signature="HXK570mb...mYHHNtBus6UQ=="'
)
THREADS_SYS = "https://threads.net/ap/users/threads.sys/"


def threads_like(like_id: str, post: dict[str, Any]) -> dict[str, Any]:
    """A Like with a recorded Threads id; the rest constructed (``actor`` is the id it is under)."""
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": like_id,
        "type": "Like",
        "actor": THREADS_PERSON,
        "object": post_uri(post),
    }


@pytest.fixture
def ana(federating: Any) -> Any:
    return federating("ana")


def test_a_threads_like_counts_on_the_post(anon: Any, ana: Any, fediverse: Any) -> None:
    actor = constructed_actor(fediverse, THREADS_PERSON, THREADS_PERSON, "threadsperson")
    post = ana.write("a note Threads people can like")
    assert deliver_to_inbox(anon, actor, threads_like(LIKE_IDS[0], post)).status_code == 202
    assert ana.view(post)["likes_count"] == 1
    liker = RemoteActor.objects.get(uri=THREADS_PERSON).account
    assert (liker.handle, liker.domain) == ("threadsperson", "threads.net")
    # What the pilot read back from its own notifications, here through the client API.
    [favourite] = token_client(ana.account).get("/api/v1/notifications", **{"types[]": ["favourite"]}).json()
    assert favourite["account"]["acct"] == "threadsperson@threads.net"
    assert favourite["status"]["id"] == str(post["id"])
    assert deliver_to_inbox(anon, actor, threads_like(LIKE_IDS[0], post)).status_code == 202  # redelivered
    assert ana.view(post)["likes_count"] == 1


@pytest.mark.parametrize("inline", [True, False], ids=["like-inline", "like-by-id"])
def test_the_undo_of_a_threads_like_removes_it(anon: Any, ana: Any, fediverse: Any, inline: bool) -> None:
    """Threads' Undo has not been recorded: both shapes servers send (the Like inline, or its id)."""
    actor = constructed_actor(fediverse, THREADS_PERSON, THREADS_PERSON, "threadsperson")
    post = ana.write("liked, then not")
    like = threads_like(LIKE_IDS[0], post)
    assert deliver_to_inbox(anon, actor, like).status_code == 202
    assert ana.view(post)["likes_count"] == 1
    undo = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{LIKE_IDS[0]}/undo",  # constructed
        "type": "Undo",
        "actor": THREADS_PERSON,
        "object": without_context(like) if inline else LIKE_IDS[0],
    }
    assert deliver_to_inbox(anon, actor, undo).status_code == 202
    assert ana.view(post)["likes_count"] == 0


def test_a_threads_actor_is_one_account_whatever_it_does(anon: Any, ana: Any, fediverse: Any) -> None:
    """The recorded person followed, then liked two notes (the two recorded Like ids): every activity
    names the same actor id, trailing slash included, and finds the one account made for it."""
    actor = constructed_actor(fediverse, THREADS_PERSON, THREADS_PERSON, "threadsperson")
    follow = {"id": f"{THREADS_PERSON}#follows/1", "type": "Follow", "actor": THREADS_PERSON}  # constructed
    assert deliver_to_inbox(anon, actor, {**follow, "object": actor_uri(ana)}).status_code == 202
    posts = [ana.write("a note"), ana.write("a companion note")]
    for like_id, post in zip(LIKE_IDS, posts, strict=True):
        assert deliver_to_inbox(anon, actor, threads_like(like_id, post)).status_code == 202
    assert [ana.view(post)["likes_count"] for post in posts] == [1, 1]
    account = RemoteActor.objects.get(uri=THREADS_PERSON).account
    assert Follow.objects.filter(follower=account, followee_id=ana.id).exists()
    assert Like.objects.filter(account=account).count() == 2
    assert account_for_actor(THREADS_PERSON) == account
    assert Account.objects.filter(domain="threads.net").count() == 1
    assert fediverse.gets_of(THREADS_PERSON) == 1  # fetched once, when its first activity came


@pytest.mark.parametrize("inline", [True, False], ids=["follow-inline", "follow-by-id"])
def test_the_undo_of_a_threads_follow_ends_it(anon: Any, ana: Any, fediverse: Any, inline: bool) -> None:
    """Threads' Undo has not been recorded: both shapes servers send."""
    actor = constructed_actor(fediverse, THREADS_PERSON, THREADS_PERSON, "threadsperson")
    follow = {  # constructed, in the shape of the recorded ids
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{THREADS_PERSON}#follows/1",
        "type": "Follow",
        "actor": THREADS_PERSON,
        "object": actor_uri(ana),
    }
    assert deliver_to_inbox(anon, actor, follow).status_code == 202
    account = RemoteActor.objects.get(uri=THREADS_PERSON).account
    assert Follow.objects.filter(follower=account, followee_id=ana.id).exists()
    undo = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{THREADS_PERSON}#follows/1/undo",  # constructed
        "type": "Undo",
        "actor": THREADS_PERSON,
        "object": without_context(follow) if inline else follow["id"],
    }
    assert deliver_to_inbox(anon, actor, undo).status_code == 202
    assert not Follow.objects.filter(follower=account, followee_id=ana.id).exists()


def test_deliveries_threads_answers_with_200_are_delivered(anon: Any, ana: Any, fediverse: Any) -> None:
    """Threads answered 200 to the Create and Update it took (Mastodon and Misskey 202 to the Update):
    ``…/03-ops/threads-note-visibility-probe-20260603.md``, ``…/production-pilot-update-run-20260605.md``."""
    threads_follows(anon, fediverse, ana)
    fediverse.inbox_status["threads.net/ap/inbox/"] = [200]
    ana.write("to Threads")
    [create] = [r for r in fediverse.deliveries("Create") if r.host == "threads.net"]
    sent = Delivery.objects.get(activity_id=create.activity["id"])
    assert (sent.state, sent.attempts) == (Delivery.State.DELIVERED, 1)


def threads_sys(fediverse: Any) -> Any:
    """Threads' instance actor, constructed (its document has not been published) under the recorded id
    and key id, with a key the test holds."""
    return constructed_actor(fediverse, THREADS_SYS, THREADS_SYS, "threads.sys")


def test_secure_mode_answers_a_signed_fetch_from_threads(
    anon: Any, ana: Any, fediverse: Any, spool_config: Any
) -> None:
    spool_config.federation_secure_mode = True
    post = ana.write("read by Threads")
    reader = threads_sys(fediverse)
    recorded = {k: v for k, v in parse_signature(THREADS_FETCH_SIGNATURE).items() if k != "signature"}
    assert recorded["keyId"] == reader.key_id == f"{THREADS_SYS}#main-key"
    for path in (f"/ap/accounts/{ana.id}", f"/ap/posts/{post['id']}", f"/ap/accounts/{ana.id}/outbox"):
        headers = signed_headers(reader, path, None)
        signed = parse_signature(headers["HTTP_SIGNATURE"])
        assert {k: signed[k] for k in recorded} == recorded  # signed as Threads signs, key id included
        response = anon.get(path, HTTP_ACCEPT="application/activity+json", **headers)
        assert response.status_code == 200, (path, response.content)
    assert fediverse.gets_of(THREADS_SYS) == 1  # its key read once


def test_secure_mode_refuses_a_threads_fetch_whose_key_does_not_check_out(
    anon: Any, ana: Any, fediverse: Any, spool_config: Any
) -> None:
    spool_config.federation_secure_mode = True
    reader = threads_sys(fediverse)
    impostor = fediverse.actor("https://remote.example/users/impostor")
    reader.private_pem = impostor.private_pem  # signs as threads.sys with a key that is not its own
    path = f"/ap/accounts/{ana.id}"
    response = anon.get(path, HTTP_ACCEPT="application/activity+json", **signed_headers(reader, path, None))
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
