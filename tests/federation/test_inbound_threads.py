"""Finding Threads (threads.net) accounts, on what Threads was captured answering
(``tests/fixtures/activitypub/threads/``; see the README there for where each answer comes from): its
WebFinger answers (actor ids with a trailing slash, on ``www.threads.net`` or ``threads.net``, no aliases)
and the ``{"success":false,"error":"Not found"}`` it gives for actors it will not serve. No Threads actor
document or activity has been published in a capture, so the actor documents here are constructed (labelled
so) in the shape of the captured ids; nothing of them is stored as a fixture."""

from __future__ import annotations

from typing import Any

import pytest

from spool.federation.actors import account_for_actor
from spool.federation.fetch import RemoteError, fetch_object
from spool.federation.models import RemoteActor
from spool.federation.services import resolve_remote_account
from spool.federation.webfinger import lookup
from spool.identities.models import Account, Follow
from tests.api.mastodon.conftest import token_client
from tests.federation.conftest import captured, deliver_to_inbox
from tests.federation.test_inbound import actor_uri, follow_remote

pytestmark = pytest.mark.django_db

MOSSERI = "https://www.threads.net/ap/users/mosseri/"
ROSIE = "https://threads.net/ap/users/17841400229440049/"
ROSIE_WWW = "https://www.threads.net/ap/users/17841400229440049/"


def serve_webfinger(fediverse: Any, fixture: str) -> dict[str, Any]:
    """Serve a captured Threads WebFinger answer where Threads answers it (``threads.net``)."""
    answer = captured(f"threads/{fixture}")
    user = answer["subject"].removeprefix("acct:").split("@")[0]
    url = f"https://threads.net/.well-known/webfinger?resource=acct%3A{user}%40threads.net"
    fediverse.serve_json(url, answer, content_type="application/jrd+json")
    return answer


def constructed_actor(fediverse: Any, uri: str, served_at: str, username: str) -> Any:
    """Constructed: a Person named ``uri`` in the shape of Threads' ids (trailing slash, ``…/inbox/``) with
    a key the test holds, served at ``served_at`` and at ``uri``."""
    actor = fediverse.actor(uri)
    document = {
        **actor.document(),
        "preferredUsername": username,
        "inbox": f"{uri}inbox/",
        "followers": f"{uri}followers/",
        "endpoints": {"sharedInbox": "https://threads.net/ap/inbox/"},
        "url": f"https://www.threads.net/@{username}",
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": actor.public_pem},
    }
    for where in {uri, served_at}:
        fediverse.serve_json(where, document)
    return actor


@pytest.mark.parametrize(
    ("fixture", "actor_id"),
    [
        ("webfinger-mosseri", MOSSERI),
        ("webfinger-mosseri-profile-page", MOSSERI),
        ("webfinger-rosiesherry", ROSIE),
    ],
)
def test_threads_webfinger_answers_give_the_actor_id(fediverse: Any, fixture: str, actor_id: str) -> None:
    answer = serve_webfinger(fediverse, fixture)
    user = answer["subject"].removeprefix("acct:").split("@")[0]
    assert lookup(user, "threads.net") == actor_id  # the ``self`` link, trailing slash kept


def test_a_threads_handle_is_found_and_followed_on_www(federating: Any, fediverse: Any) -> None:
    ana = federating("ana")
    serve_webfinger(fediverse, "webfinger-mosseri-profile-page")
    constructed_actor(fediverse, MOSSERI, MOSSERI, "mosseri")
    mosseri = follow_remote(ana, "mosseri@threads.net")
    stored = RemoteActor.objects.get(account=mosseri)
    assert (stored.uri, stored.inbox) == (MOSSERI, f"{MOSSERI}inbox/")
    assert stored.shared_inbox == "https://threads.net/ap/inbox/"
    assert stored.url == "https://www.threads.net/@mosseri"
    # The server is the one of the handle (whose WebFinger named the actor on its www. subdomain), so the
    # handle people use and the rules set for threads.net apply.
    assert (mosseri.handle, mosseri.domain) == ("mosseri", "threads.net")
    assert resolve_remote_account("@mosseri@threads.net") == mosseri  # known now: no second WebFinger
    assert sum(1 for r in fediverse.fetched if r.path.startswith("/.well-known/webfinger")) == 1
    assert account_for_actor(MOSSERI, refresh=True) == mosseri  # a refetch keeps the account and its server
    assert Account.objects.filter(handle="mosseri").count() == 1


def test_an_actor_named_on_www_but_served_on_the_bare_host_is_taken_from_www(fediverse: Any) -> None:
    serve_webfinger(fediverse, "webfinger-rosiesherry")  # points at threads.net
    constructed_actor(fediverse, ROSIE_WWW, ROSIE, "rosiesherry")  # which names it by www.threads.net
    rosie = resolve_remote_account("rosiesherry@threads.net")
    assert rosie is not None and (rosie.handle, rosie.domain) == ("rosiesherry", "threads.net")
    assert RemoteActor.objects.get(account=rosie).uri == ROSIE_WWW
    assert fediverse.gets_of(ROSIE) == 1 and fediverse.gets_of(ROSIE_WWW) == 1


def followed_by_mosseri(anon: Any, fediverse: Any, person: Any) -> Account:
    """Threads' mosseri, met first in his ``Follow`` of local ``person`` (constructed: nobody had looked him
    up); the account the Follow made."""
    actor = constructed_actor(fediverse, MOSSERI, MOSSERI, "mosseri")
    follow = {"id": f"{MOSSERI}#follows/1", "type": "Follow", "actor": MOSSERI, "object": actor_uri(person)}
    assert deliver_to_inbox(anon, actor, follow).status_code == 202
    mosseri = RemoteActor.objects.get(uri=MOSSERI).account
    assert Follow.objects.filter(follower=mosseri, followee_id=person.id).exists()
    return mosseri


def test_an_actor_on_www_met_in_an_activity_gets_the_handle_its_server_gives(
    anon: Any, federating: Any, fediverse: Any
) -> None:
    """His actor id is on ``www.threads.net``, and the WebFinger of ``threads.net`` names it (captured): the
    account is ``@mosseri@threads.net`` as when he is looked up, not ``@mosseri@www.threads.net``."""
    ana = federating("ana")
    serve_webfinger(fediverse, "webfinger-mosseri")
    mosseri = followed_by_mosseri(anon, fediverse, ana)
    assert (mosseri.handle, mosseri.domain) == ("mosseri", "threads.net")
    assert resolve_remote_account("@mosseri@threads.net") == mosseri
    assert Account.objects.filter(handle="mosseri").count() == 1


def test_an_actor_on_www_its_bare_domain_does_not_name_keeps_its_host(
    anon: Any, federating: Any, fediverse: Any
) -> None:
    ana = federating("ana")
    url = "https://threads.net/.well-known/webfinger?resource=acct%3Amosseri%40threads.net"
    fediverse.serve_json(url, captured("threads/not-found"), status=404)
    mosseri = followed_by_mosseri(anon, fediverse, ana)
    assert (mosseri.handle, mosseri.domain) == ("mosseri", "www.threads.net")


def test_a_document_naming_another_host_is_refused_unless_that_host_serves_it(fediverse: Any) -> None:
    victim = fediverse.actor("https://other.example/users/victim")
    claim = {**victim.document(), "preferredUsername": "impostor"}
    fediverse.serve_json("https://remote.example/users/impostor", claim)  # claims other.example's id
    taken = fetch_object("https://remote.example/users/impostor")
    assert taken["preferredUsername"] == "victim"  # what other.example serves, not the claim
    assert resolve_remote_account("impostor@remote.example") is None  # no WebFinger there
    fediverse.serve_json("https://remote.example/notes/1", {"id": "https://other.example/notes/1"})
    with pytest.raises(RemoteError):
        fetch_object("https://remote.example/notes/1")  # other.example has no such note (404)
    fediverse.serve_json("https://other.example/notes/1", {"id": "https://other.example/notes/2"})
    with pytest.raises(RemoteError, match="not on the server that served it"):
        fetch_object("https://remote.example/notes/1")  # nor one under that id


@pytest.mark.parametrize("status", [404, 200])
def test_threads_not_found_answer_resolves_to_nobody(federating: Any, fediverse: Any, status: int) -> None:
    ana = federating("ana")
    serve_webfinger(fediverse, "webfinger-rosiesherry")
    fediverse.serve_json(ROSIE, captured("threads/not-found"), status=status)
    assert resolve_remote_account("@rosiesherry@threads.net") is None
    found = token_client(ana.account).get(
        "/api/v2/search", q="@rosiesherry@threads.net", resolve="true", type="accounts"
    )
    assert found.status_code == 200 and found.json()["accounts"] == []
    assert not Account.objects.filter(domain__endswith="threads.net").exists()


@pytest.mark.parametrize("status", [404, 200])
def test_threads_not_found_webfinger_answer_resolves_to_nobody(fediverse: Any, status: int) -> None:
    """Threads' WebFinger answer for an account that has not turned on fediverse sharing."""
    url = "https://threads.net/.well-known/webfinger?resource=acct%3Adanluu.danluu%40threads.net"
    fediverse.serve_json(url, captured("threads/not-found"), status=status)
    with pytest.raises(RemoteError):
        lookup("danluu.danluu", "threads.net")
    assert resolve_remote_account("@danluu.danluu@threads.net") is None
    assert not Account.objects.filter(handle="danluu.danluu").exists()
