"""Instance policy on other servers: limited ("silenced") servers stay out of every public and discovery
surface except for the people who follow their accounts, their follows need approval and their mentions
notify only their followers; allowlist mode refuses every server not listed; admins manage it all in
``/moderation/servers`` with audit log entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from spool.federation.models import AllowedServer, DomainBlock, InboxItem
from spool.feeds.for_you.topics import follow_topic
from spool.feeds.trending.highlights import trending_discussions
from spool.identities.models import Account, Follow, FollowRequest, LimitedServer
from spool.identities.services import approve_follow_request, follow_account
from spool.identities.services.remote import upsert_remote_account
from spool.moderation.models import AuditEntry
from spool.notifications.models import Notification
from spool.posts.models import Post
from spool.posts.services import like_post
from spool.posts.services.remote import receive_remote_post
from tests.federation.conftest import captured, deliver_to_inbox
from tests.posts.conftest import Person

LIMITED = "limited.example"
OPEN = "open.example"


@dataclass
class World:
    ana: Person  # follows the limited server's account
    bo: Person  # follows nobody there
    far: Account  # on the limited server
    near: Account  # on an ordinary server
    far_post: int
    near_post: int


@pytest.fixture
def world(person: Callable[..., Person], django_capture_on_commit_callbacks: Any) -> Iterator[World]:
    ana, bo = person("ana"), person("bo")
    with django_capture_on_commit_callbacks(execute=True):
        far = upsert_remote_account(handle="far", domain=LIMITED)
        near = upsert_remote_account(handle="near", domain=OPEN)
        follow_account(ana.account, far)
        follow_topic(bo.account, "weaving")
        far_post = receive_remote_post(far, text="weaving news from far away", topic="weaving")
        near_post = receive_remote_post(near, text="weaving news from nearby", topic="weaving")
        for post in (far_post, near_post):  # engagement, for the trending highlights
            like_post(ana.account, post.id)
    LimitedServer.objects.create(domain=LIMITED)
    yield World(ana, bo, far, near, far_post.id, near_post.id)


def _ids(items: list[dict[str, Any]]) -> set[int]:
    return {int(item["id"]) for item in items}


def _both(w: World, ids: set[int]) -> tuple[bool, bool]:
    return w.far_post in ids, w.near_post in ids


def test_whats_new_leaves_limited_servers_out_except_for_their_followers(anon: Any, world: World) -> None:
    w = world
    path = "/api/spool/v1/posts/feeds/whats-new"
    assert _both(w, _ids(anon.get(path).json()["items"])) == (False, True)
    assert _both(w, _ids(w.bo.get("feeds/whats-new").json()["items"])) == (False, True)
    assert _both(w, _ids(w.ana.get("feeds/whats-new").json()["items"])) == (True, True)


def test_topic_feeds_leave_limited_servers_out(anon: Any, world: World) -> None:
    w = world
    for path in ("/api/spool/v1/posts/feeds/topic/weaving", "/api/spool/v1/feeds/topic/weaving"):
        assert _both(w, _ids(anon.get(path).json()["items"])) == (False, True), path
        assert _both(w, _ids(w.bo.client.get(path).json()["items"])) == (False, True), path
        assert _both(w, _ids(w.ana.client.get(path).json()["items"])) == (True, True), path


def test_public_timelines_leave_limited_servers_out(anon: Any, world: World) -> None:
    for path in ("/api/v1/timelines/public", "/api/v1/timelines/tag/weaving"):
        response = anon.get(path)
        assert response.status_code == 200, response.content
        assert _both(world, _ids(response.json())) == (False, True), path


def test_search_leaves_limited_servers_out_except_for_their_followers(anon: Any, world: World) -> None:
    w = world
    path = "/api/spool/v1/search/posts"
    assert _both(w, _ids(anon.get(path, {"q": "weaving news"}).json()["items"])) == (False, True)
    assert _both(w, _ids(w.bo.client.get(path, {"q": "weaving news"}).json()["items"])) == (False, True)
    assert _both(w, _ids(w.ana.client.get(path, {"q": "weaving news"}).json()["items"])) == (True, True)


def test_for_you_leaves_limited_servers_out_except_for_their_followers(world: World) -> None:
    w = world
    # bo follows the topic: both posts are candidates, only the open server's reaches him.
    assert _both(w, _ids(w.bo.client.get("/api/spool/v1/feeds/for-you").json()["items"])) == (False, True)
    # ana follows the limited account: its post reaches her.
    assert w.far_post in _ids(w.ana.client.get("/api/spool/v1/feeds/for-you").json()["items"])


def test_trending_highlights_leave_limited_servers_out(world: World) -> None:
    w = world
    topic_id = Post.objects.get(id=w.near_post).topic_id
    discussions = trending_discussions([topic_id], timezone.now())
    assert _both(w, set(discussions.get(topic_id, []))) == (False, True)


def test_the_fediverse_feed_shows_limited_accounts_to_their_followers(world: World) -> None:
    w = world
    assert w.far_post in _ids(w.ana.client.get("/api/spool/v1/feeds/fediverse").json()["items"])
    assert w.far_post not in _ids(w.bo.client.get("/api/spool/v1/feeds/fediverse").json()["items"])


def test_profiles_and_threads_still_show_limited_accounts(world: World) -> None:
    """Limiting is about reach: someone who looks the account up still sees its posts."""
    assert world.bo.see(world.far_post).status_code == 200


def test_mentions_from_a_limited_server_notify_only_followers(world: World) -> None:
    w = world
    receive_remote_post(w.far, text="@ana @bo hello", mentioned=[w.ana.account, w.bo.account])
    mentioned = set(Notification.objects.filter(kind="mention").values_list("recipient_id", flat=True))
    assert mentioned == {w.ana.id}
    receive_remote_post(w.near, text="@bo hello from the open server", mentioned=[w.bo.account])
    assert Notification.objects.filter(kind="mention", recipient_id=w.bo.id).count() == 1


ADMIN = "http://mastodon.example.org/users/admin"


def _follow(anon: Any, fediverse: Any, target: Any, n: int = 0) -> Account:
    """mastodon.example.org's admin follows ``target`` (a captured Mastodon Follow, its ``n``-th); the
    follower's account."""
    activity = captured("mastodon/follow")
    activity["object"] = f"http://testserver/ap/accounts/{target.id}"
    activity["id"] += f"/{n}" if n else ""
    assert deliver_to_inbox(anon, fediverse.actor(ADMIN), activity).status_code == 202
    return Account.objects.get(domain="mastodon.example.org")


@pytest.mark.parametrize("limited_by", ["moderators", "settings"])
def test_follows_from_a_limited_server_need_approval(
    anon: Any,
    federating: Any,
    fediverse: Any,
    django_capture_on_commit_callbacks: Any,
    spool_config: Any,
    limited_by: str,
) -> None:
    cy = federating("cy")
    if limited_by == "moderators":
        LimitedServer.objects.create(domain="mastodon.example.org")
    else:
        spool_config.federation_silenced_domains = ["Mastodon.example.org"]
    requester = _follow(anon, fediverse, cy)
    assert FollowRequest.objects.filter(requester=requester, target_id=cy.id).exists()
    assert not Follow.objects.filter(follower=requester, followee_id=cy.id).exists()
    assert fediverse.deliveries("Accept") == []
    # cy approves: the follow exists and the other server hears Accept.
    with django_capture_on_commit_callbacks(execute=True):
        approve_follow_request(cy.account, requester)
    assert Follow.objects.filter(follower=requester, followee_id=cy.id).exists()
    assert len(fediverse.deliveries("Accept")) == 1


def test_follows_from_a_limited_server_are_taken_at_once_when_followed_back(
    anon: Any, federating: Any, fediverse: Any
) -> None:
    cy = federating("cy")
    LimitedServer.objects.create(domain="mastodon.example.org")
    requester = _follow(anon, fediverse, cy)
    FollowRequest.objects.all().delete()
    follow_account(cy.account, requester)  # cy follows them: they are no strangers
    _follow(anon, fediverse, cy, 1)
    assert Follow.objects.filter(follower=requester, followee_id=cy.id).exists()
    assert not FollowRequest.objects.filter(requester=requester, target_id=cy.id).exists()


def test_allowlist_mode_refuses_every_other_server(
    anon: Any, federating: Any, fediverse: Any, spool_config: Any
) -> None:
    cy = federating("cy")
    admin = fediverse.actor("http://mastodon.example.org/users/admin")
    friend = fediverse.actor("https://remote.example/users/friend")
    spool_config.federation_allowlist_mode = True
    AllowedServer.objects.create(domain="remote.example")
    activity = captured("mastodon/follow")
    activity["object"] = f"http://testserver/ap/accounts/{cy.id}"
    refused = deliver_to_inbox(anon, admin, activity)
    assert refused.status_code == 403 and refused.json()["code"] == "blocked_domain"
    assert not InboxItem.objects.exists()
    follow = {**activity, "id": f"{friend.uri}#follow", "actor": friend.uri}
    assert deliver_to_inbox(anon, friend, follow).status_code == 202
    assert Follow.objects.filter(followee_id=cy.id, follower__domain="remote.example").exists()


def test_settings_defaults_apply_without_stored_rows(anon: Any, world: World, spool_config: Any) -> None:
    LimitedServer.objects.all().delete()
    assert _both(world, _ids(anon.get("/api/spool/v1/posts/feeds/whats-new").json()["items"])) == (True, True)
    spool_config.federation_silenced_domains = [LIMITED]
    assert _both(world, _ids(anon.get("/api/spool/v1/posts/feeds/whats-new").json()["items"])) == (
        False,
        True,
    )


# --- The admins' page -----------------------------------------------------------------------------------


@pytest.fixture
def admin(person: Callable[..., Person]) -> Person:
    from django.core.management import call_command

    someone = person("boss")
    call_command("grant_role", "boss", "admin")
    return someone


def test_an_admin_limits_blocks_allows_and_lifts_with_audit_entries(admin: Person) -> None:
    change = "/moderation/servers/change"
    for action, model in (("limit", LimitedServer), ("block", DomainBlock), ("allow", AllowedServer)):
        response = admin.client.post(
            change, {"domain": "https://Bad.Example/about", "action": action, "reason": "spam"}
        )
        assert response.status_code == 302
        assert model.objects.filter(domain="bad.example", reason="spam").exists()
        assert AuditEntry.objects.filter(verb=f"server.{action}", target_label="bad.example").count() == 1
    page = admin.client.get("/moderation/servers")
    assert page.status_code == 200 and page.content.count(b"<td>bad.example</td>") == 3
    admin.client.post(change, {"domain": "bad.example", "action": "limit", "lift": "1"})
    assert not LimitedServer.objects.exists()
    assert AuditEntry.objects.filter(verb="server.unlimit", target_label="bad.example").exists()


def test_the_page_shows_the_defaults_from_the_environment(admin: Person, spool_config: Any) -> None:
    spool_config.federation_blocked_domains = ["env-blocked.example"]
    page = admin.client.get("/moderation/servers").content.decode()
    assert "env-blocked.example" in page and "from settings" in page


def test_bad_input_changes_nothing(admin: Person) -> None:
    change = "/moderation/servers/change"
    for data, message in (
        ({"domain": "not a server", "action": "limit"}, "Give a server name"),
        ({"domain": "ok.example", "action": "nuke"}, "Choose block, limit or allow"),
        ({"domain": "ok.example", "action": "limit", "reason": "x" * 501}, "Keep the reason under 500"),
        ({"domain": "testserver", "action": "block"}, "That is this server"),
    ):
        response = admin.client.post(change, data, follow=True, HTTP_REFERER="/moderation/servers")
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not (LimitedServer.objects.exists() or DomainBlock.objects.exists())
    assert not AuditEntry.objects.filter(verb__startswith="server.").exists()


def test_moderators_see_the_page_but_only_admins_change_it(person: Callable[..., Person]) -> None:
    from django.core.management import call_command

    mod, nobody = person("mod"), person("nobody")
    call_command("grant_role", "mod", "moderator")
    assert mod.client.get("/moderation/servers").status_code == 200
    response = mod.client.post("/moderation/servers/change", {"domain": "bad.example", "action": "block"})
    assert response.status_code == 302 and not DomainBlock.objects.exists()
    assert nobody.client.get("/moderation/servers").status_code == 404
    nobody.client.post("/moderation/servers/change", {"domain": "bad.example", "action": "block"})
    assert (
        not DomainBlock.objects.exists()
        and not AuditEntry.objects.filter(verb__startswith="server.").exists()
    )


def test_allowlist_mode_hides_posts_of_servers_not_allowed_from_every_read(
    anon: Any, person: Callable[..., Person], spool_config: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ana = person("ana")
    with django_capture_on_commit_callbacks(execute=True):
        authors = {
            domain: upsert_remote_account(handle="someone", domain=domain)
            for domain in ("friend.example", "sub.friend.example:8443", "env.example", "stranger.example")
        }
        for author in authors.values():
            follow_account(ana.account, author)
        posts = {
            domain: receive_remote_post(a, text=f"hello from {domain}").id for domain, a in authors.items()
        }
        local = ana.write("hello from here")["id"]
    AllowedServer.objects.create(domain="friend.example")

    def seen(viewer: Account | None) -> set[str]:
        ids = set(Post.objects.visible_to(viewer).filter(pk__in=posts.values()).values_list("id", flat=True))
        return {domain for domain, post_id in posts.items() if post_id in ids}

    assert seen(None) == set(posts)  # allowlist mode off: every server federates
    spool_config.federation_allowlist_mode = True
    spool_config.federation_allowed_domains = ["env.example"]
    allowed = {"friend.example", "sub.friend.example:8443", "env.example"}
    assert seen(None) == allowed and seen(ana.account) == allowed
    stranger = posts["stranger.example"]
    assert anon.get(f"/api/v1/statuses/{stranger}").status_code == 404
    assert ana.see(stranger).status_code == 404 and ana.see(posts["env.example"]).status_code == 200
    home = {int(item["id"]) for item in ana.get("feeds/home", limit=40).json()["items"]}
    assert stranger not in home and posts["friend.example"] in home and int(local) in home
    AllowedServer.objects.create(domain="stranger.example")
    assert seen(None) == set(posts)  # stored rows are read when the query runs
