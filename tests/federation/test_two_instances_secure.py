"""Two real Spool instances on loopback, both in secure mode ("authorized fetch"): they still find and
follow each other and deliver posts (each fetches the other's actors signed, and reads the other's
instance actor unsigned to verify — no deadlock), an unsigned fetch is refused, and deleting an account
on one reaches the other as a signed ``Delete(Person)``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from spool.federation.devpair import wait_for


def _fetch_status(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept": "application/activity+json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            json.loads(response.read())
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_secure_instances_federate_refuse_unsigned_fetches_and_hear_account_deletion(
    secure_pair: Any,
) -> None:
    a, b = secure_pair
    alice, bob = a.client("alice"), b.client("bob")
    bob_id = b.people["bob"]["id"]

    # Unsigned reads of B's documents are refused; its instance actor (its key) is not.
    assert _fetch_status(f"{b.url}/ap/accounts/{bob_id}") == 401
    assert _fetch_status(f"{b.url}/ap/accounts/{bob_id}/outbox") == 401
    assert _fetch_status(f"{b.url}/ap/actor") == 200

    # alice finds bob (signed fetches of his actor) and follows him (a signed POST B verifies by fetching
    # alice's actor from A, signed in turn).
    found = alice.get("/api/v2/search", q=f"@bob@{b.domain}", resolve="true", type="accounts")["accounts"]
    assert [f["acct"] for f in found] == [f"bob@{b.domain}"]
    alice.post(f"/api/v1/accounts/{found[0]['id']}/follow")
    followers = wait_for("alice on bob's followers", lambda: bob.get(f"/api/v1/accounts/{bob_id}/followers"))
    assert [f["acct"] for f in followers] == [f"alice@{a.domain}"]

    bob.post("/api/v1/statuses", {"status": "Signed and sealed from B"})
    wait_for(
        "bob's post on A",
        lambda: [s for s in alice.get("/api/v1/timelines/home") if "Signed and sealed" in s["content"]],
    )

    # alice deletes her account on A: B hears Delete(Person) and forgets her.
    a.manage(
        "shell",
        "-c",
        "from spool.identities.models import Account\n"
        "from spool.identities.services import delete_account\n"
        "delete_account(Account.objects.get(handle='alice', domain=''))",
    )
    wait_for("alice gone from B", lambda: bob.get(f"/api/v1/accounts/{bob_id}/followers") == [])
    assert bob.get(f"/api/v1/accounts/{bob_id}")["followers_count"] == 0
