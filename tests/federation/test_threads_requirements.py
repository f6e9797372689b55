"""What Threads is reported to require of the activities it receives, pinned on what we send it.

No Threads actor document or activity has been published in a capture (see
``tests/fixtures/activitypub/README.md``), but people who federated with Threads published what it refused
and what it then accepted; each test names its source. The Threads accounts are found through a captured
WebFinger answer, with their actor documents constructed (labelled so) in the shape of Threads' ids.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.mastodon.conftest import token_client
from tests.federation.conftest import deliver_to_inbox, without_context
from tests.federation.test_inbound import actor_uri, follow_remote
from tests.federation.test_inbound_threads import MOSSERI, constructed_actor, serve_webfinger

pytestmark = pytest.mark.django_db

THREADS_SHARED_INBOX = "/ap/inbox/"  # ``https://threads.net/ap/inbox/``, as the constructed actors name it


def threads_follows(anon: Any, fediverse: Any, person: Any) -> dict[str, Any]:
    """A Threads account follows local ``person``; the Follow (constructed, in the shape of Threads' ids:
    the actor's trailing slash and a fragment id under it) as it was delivered."""
    uri = "https://threads.net/ap/users/17841401579146452/"  # a Threads actor id recorded in operation
    actor = constructed_actor(fediverse, uri, uri, "threadsperson")
    follow = {"id": f"{uri}#follows/1", "type": "Follow", "actor": uri, "object": actor_uri(person)}
    assert deliver_to_inbox(anon, actor, follow).status_code == 202
    return follow


def test_an_accept_carries_the_whole_follow(anon: Any, federating: Any, fediverse: Any) -> None:
    """Threads answered 500 to an ``Accept`` that named the ``Follow`` only partly and took it once the
    original ``Follow`` was embedded: ``thematters/matters-fediverse-gateway``,
    ``research/matters-fediverse-compat/03-ops/threads-follow-compatibility-20260528.md`` (commit
    ``00f0497bc4f96795c3dd5a8193fe5729503629d7``)."""
    ana = federating("ana")
    follow = threads_follows(anon, fediverse, ana)
    [accept] = fediverse.deliveries("Accept")
    assert (accept.host, accept.path) == ("threads.net", THREADS_SHARED_INBOX)
    assert accept.activity["object"] == follow


def test_an_unfollow_sends_the_follow_inline(federating: Any, fediverse: Any) -> None:
    """Threads answered 500 to an ``Undo`` naming the ``Follow`` by URL and took it with the ``Follow``
    inline: ``fedify-dev/fedify`` issue #125 (2024-08-30)."""
    ana = federating("ana")
    serve_webfinger(fediverse, "webfinger-mosseri-profile-page")
    constructed_actor(fediverse, MOSSERI, MOSSERI, "mosseri")
    mosseri = follow_remote(ana, "mosseri@threads.net")
    [follow] = fediverse.deliveries("Follow")
    response = token_client(ana.account).post(f"/api/v1/accounts/{mosseri.id}/unfollow")
    assert response.status_code == 200, response.content
    [undo] = fediverse.deliveries("Undo")
    assert (undo.host, undo.path) == ("threads.net", THREADS_SHARED_INBOX)
    assert undo.activity["object"] == without_context(follow.activity)  # inline, the very Follow sent


def test_the_undo_names_the_latest_follow_sent(federating: Any, fediverse: Any) -> None:
    """Follow, unfollow and follow again: the second ``Undo`` carries the second ``Follow``, not the first
    and not a reconstruction with an id nobody received."""
    ana = federating("ana")
    serve_webfinger(fediverse, "webfinger-mosseri-profile-page")
    constructed_actor(fediverse, MOSSERI, MOSSERI, "mosseri")
    mosseri = follow_remote(ana, "mosseri@threads.net")
    client = token_client(ana.account)
    assert client.post(f"/api/v1/accounts/{mosseri.id}/unfollow").status_code == 200
    assert client.post(f"/api/v1/accounts/{mosseri.id}/follow").status_code == 200
    assert client.post(f"/api/v1/accounts/{mosseri.id}/unfollow").status_code == 200
    first, second = (without_context(r.activity) for r in fediverse.deliveries("Follow"))
    assert first["id"] != second["id"]
    assert [u.activity["object"] for u in fediverse.deliveries("Undo")] == [first, second]


def test_digests_sent_to_threads_name_sha_256_in_capitals(anon: Any, federating: Any, fediverse: Any) -> None:
    """Threads failed to verify signatures whose ``Digest`` spelled ``sha-256=`` in lower case:
    ``fedify-dev/fedify`` issue #125 (2024-08-30, the cause found by the maintainer)."""
    ana = federating("ana")
    threads_follows(anon, fediverse, ana)
    ana.write("to my followers on Threads")
    sent = [r for r in fediverse.deliveries() if r.host == "threads.net"]
    assert {r.activity["type"] for r in sent} == {"Accept", "Create"}
    for request in sent:
        assert request.headers["digest"].startswith("SHA-256=")
        assert "digest" in request.headers["signature"].split('headers="', 1)[1].split('"', 1)[0].split()
