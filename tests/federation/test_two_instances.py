"""Two real Spool instances on loopback (separate processes, databases, workers) federating through their
Mastodon-compatible APIs: follow (public, and private with approval), post, reply across servers, like,
repost, quote, edit, delete, block and unfollow — each result checked on both sides."""

from __future__ import annotations

import urllib.request
from typing import Any

from spool.federation.devpair import ApiError, wait_for


def _find(client: Any, handle: str) -> dict[str, Any]:
    found = client.get("/api/v2/search", q=f"@{handle}", resolve="true", type="accounts")["accounts"]
    assert len(found) == 1, found
    return found[0]


def _missing(client: Any, path: str) -> bool:
    """Whether ``path`` answers 404 (gone, or hidden from this client)."""
    try:
        client.get(path)
    except ApiError as exc:
        return exc.status == 404
    return False


def _page(url: str) -> str:
    """A web page as a logged-out visitor gets it."""
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback URL built here
        return str(response.read().decode())


def _relationship(client: Any, account_id: str) -> dict[str, Any]:
    return client.get("/api/v1/accounts/relationships", **{"id[]": account_id})[0]


def test_two_instances_follow_post_reply_like_repost_quote_edit_delete_block_unfollow(pair: Any) -> None:
    a, b = pair
    alice, bob, carol = a.client("alice"), b.client("bob"), b.client("carol")
    bob_id, carol_id = b.people["bob"]["id"], b.people["carol"]["id"]

    # Follow a public profile by its fediverse handle; bob's server records the follower.
    bob_on_a = _find(alice, f"bob@{b.domain}")
    assert bob_on_a["acct"] == f"bob@{b.domain}"
    alice.post(f"/api/v1/accounts/{bob_on_a['id']}/follow")
    followers = wait_for("alice on bob's followers", lambda: bob.get(f"/api/v1/accounts/{bob_id}/followers"))
    assert [f["acct"] for f in followers] == [f"alice@{a.domain}"]
    assert _relationship(alice, bob_on_a["id"])["following"] is True

    # bob posts; it reaches alice's home timeline on the other server.
    post = bob.post("/api/v1/statuses", {"status": "Hello from server B #weaving"})
    home = wait_for(
        "bob's post in alice's home",
        lambda: [s for s in alice.get("/api/v1/timelines/home") if "server B" in s["content"]],
    )
    remote_post = home[0]
    assert remote_post["account"]["acct"] == f"bob@{b.domain}"
    # Shown with its server: the account and post URLs are bob's pages on B, the ids B's ActivityPub ids.
    assert remote_post["account"]["url"] == f"{b.url}/@bob"
    assert remote_post["account"]["uri"] == f"{b.url}/ap/accounts/{bob_id}"
    assert remote_post["url"] == f"{b.url}/@bob/post/{post['id']}"
    assert remote_post["uri"] == f"{b.url}/ap/posts/{post['id']}"
    # A's page for bob: his post as A holds it, his server named, and a link to his profile on B.
    profile = _page(f"{a.url}/@bob@{b.domain}")
    assert "Hello from server B" in profile and f"@bob@{b.domain}" in profile
    assert f'href="{b.url}/@bob"' in profile

    # alice replies, likes and reposts; bob's server counts each.
    reply = alice.post(
        "/api/v1/statuses", {"status": "Hello back from A", "in_reply_to_id": remote_post["id"]}
    )
    alice.post(f"/api/v1/statuses/{remote_post['id']}/favourite")
    alice.post(f"/api/v1/statuses/{remote_post['id']}/reblog")

    def counted() -> Any:
        status = bob.get(f"/api/v1/statuses/{post['id']}")
        done = (status["replies_count"], status["favourites_count"], status["reblogs_count"]) == (1, 1, 1)
        return status if done else None

    wait_for("reply, like and repost counted on B", counted)
    descendants = bob.get(f"/api/v1/statuses/{post['id']}/context")["descendants"]
    assert [d["account"]["acct"] for d in descendants] == [f"alice@{a.domain}"]
    assert "Hello back from A" in descendants[0]["content"]
    assert reply["in_reply_to_id"] == remote_post["id"]

    # bob quotes alice's reply (held on B); alice's server counts the quote on her post.
    alice_on_b = descendants[0]
    bob.post("/api/v1/statuses", {"status": "Quoting alice", "quoted_status_id": alice_on_b["id"]})
    wait_for(
        "the quote counted on A", lambda: alice.get(f"/api/v1/statuses/{reply['id']}")["quotes_count"] == 1
    )

    # bob edits his post; alice sees the new text.
    bob.call("PUT", f"/api/v1/statuses/{post['id']}", {"status": "Hello from server B, edited #weaving"})
    wait_for(
        "the edit on A",
        lambda: "edited" in alice.get(f"/api/v1/statuses/{remote_post['id']}")["content"],
    )

    # A private profile: carol opted in while public, then locked her profile; alice must ask.
    carol.call("PATCH", "/api/v1/accounts/update_credentials", {"locked": True})
    carol_on_a = _find(alice, f"carol@{b.domain}")
    alice.post(f"/api/v1/accounts/{carol_on_a['id']}/follow")
    requests_ = wait_for("alice's request on B", lambda: carol.get("/api/v1/follow_requests"))
    assert [r["acct"] for r in requests_] == [f"alice@{a.domain}"]
    assert _relationship(alice, carol_on_a["id"])["requested"] is True
    carol.post(f"/api/v1/follow_requests/{requests_[0]['id']}/authorize")
    wait_for("the approval on A", lambda: _relationship(alice, carol_on_a["id"])["following"])
    assert [f["acct"] for f in carol.get(f"/api/v1/accounts/{carol_id}/followers")] == [f"alice@{a.domain}"]

    # bob deletes his post: gone on A too.
    bob.call("DELETE", f"/api/v1/statuses/{post['id']}")

    wait_for("the delete on A", lambda: _missing(alice, f"/api/v1/statuses/{remote_post['id']}"))

    # alice unfollows bob: B forgets her.
    alice.post(f"/api/v1/accounts/{bob_on_a['id']}/unfollow")
    wait_for("the unfollow on B", lambda: bob.get(f"/api/v1/accounts/{bob_id}/followers") == [])

    # carol blocks alice: the follow ends on both sides, and carol disappears for alice on A.
    alice_on_b_account = carol.get("/api/v1/accounts/search", q=f"alice@{a.domain}")[0]
    carol.post(f"/api/v1/accounts/{alice_on_b_account['id']}/block")
    assert carol.get(f"/api/v1/accounts/{carol_id}/followers") == []

    wait_for("the block on A", lambda: _missing(alice, f"/api/v1/accounts/{carol_on_a['id']}"))
    assert alice.get("/api/v1/accounts/relationships", **{"id[]": carol_on_a["id"]}) == []
