"""People-facing federation: remote profiles and posts shown with their server (pages and the Mastodon API),
the fediverse feed filled by remote posts, and remote replies, likes, reposts and quotes counted on local
posts. Remote servers are the stand-in fediverse; their activities are real captured payloads where one
exists (see ``tests/fixtures/activitypub/``)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from spool.federation.models import RemotePost
from spool.identities.models import Account
from tests.api.mastodon.conftest import token_client
from tests.federation.conftest import captured, deliver_to_inbox
from tests.federation.test_inbound import ADMIN, LAIN, PUBLIC, actor_uri, follow_remote, point_at, post_uri

ADMIN_PAGE = "http://mastodon.example.org/@admin"
CW_NOTE = "http://mastodon.example.org/users/admin/statuses/99512778738411822"
CW_PAGE = "http://mastodon.example.org/@admin/99512778738411822"


@pytest.fixture
def ana(federating: Any) -> Any:
    return federating("ana")


@pytest.fixture
def admin(fediverse: Any) -> Any:
    """Mastodon's @admin, whose actor document names its profile page as Mastodon's do."""
    actor = fediverse.actor(ADMIN)
    fediverse.serve_json(ADMIN, {**actor.document(), "url": ADMIN_PAGE, "name": "Admin"})
    return actor


def mention_from_admin(anon: Any, admin: Any, ana: Any) -> RemotePost:
    """Mastodon's captured "cw + mention" post, addressed to ana: stored, and ana is notified."""
    activity = point_at(captured("mastodon/create-note-mention-cw"), LAIN, actor_uri(ana))
    assert deliver_to_inbox(anon, admin, activity).status_code == 202
    return RemotePost.objects.select_related("post__author").get(uri=CW_NOTE)


def test_a_remote_post_and_its_author_show_their_server_and_link_to_the_original(
    anon: Any, ana: Any, admin: Any
) -> None:
    remote = mention_from_admin(anon, admin, ana)
    page = ana.client.get(f"/@admin@mastodon.example.org/post/{remote.post.id}")
    assert page.status_code == 200
    html = page.content.decode()
    assert ">admin@mastodon.example.org</a>" in html  # the post header names the server
    assert f'class="fediverse-mark" href="{CW_PAGE}"' in html  # the marker links to the original
    # The bare handle is someone else's (or nobody's) address here, and the old address redirects.
    assert ana.client.get(f"/@admin/post/{remote.post.id}").status_code in (301, 302)
    assert anon.get("/@admin").status_code == 404

    notifications = ana.client.get("/notifications").content.decode()
    assert "@admin@mastodon.example.org" in notifications and "fediverse-mark" in notifications


def test_a_remote_profile_page_shows_stored_posts_a_follow_button_and_where_older_posts_are(
    anon: Any, ana: Any, admin: Any, fediverse: Any
) -> None:
    remote = mention_from_admin(anon, admin, ana)
    for visitor in (anon, ana.client):
        page = visitor.get("/@admin@mastodon.example.org")
        assert page.status_code == 200
        html = page.content.decode()
        assert "@admin@mastodon.example.org" in html
        assert f'id="post-{remote.post.id}"' in html  # their stored post
        note = re.search(r'id="remote-profile-note">(.*?)</p>', html, re.S)
        assert note is not None and "older posts live on their server" in note.group(1)
        assert f'href="{ADMIN_PAGE}"' in note.group(1)
    follow_form = 'action="/@admin@mastodon.example.org/relationship"'
    assert follow_form in ana.client.get("/@admin@mastodon.example.org").content.decode()

    # The button follows them across servers: a Follow goes to their inbox.
    response = ana.client.post("/@admin@mastodon.example.org/relationship", {"action": "follow"})
    assert response.status_code == 302 and response["Location"] == "/@admin@mastodon.example.org"
    [follow] = fediverse.deliveries("Follow")
    assert follow.activity["object"] == ADMIN and follow.activity["actor"] == actor_uri(ana)


def test_a_person_not_sharing_is_sent_to_the_setting_instead_of_a_follow_button(
    anon: Any, ana: Any, admin: Any, person: Any
) -> None:
    mention_from_admin(anon, admin, ana)
    ben = person("ben")
    html = ben.client.get("/@admin@mastodon.example.org").content.decode()
    assert 'id="needs-sharing"' in html and 'href="/settings/fediverse"' in html
    assert 'action="/@admin@mastodon.example.org/relationship"' not in html.split("profile-actions")[1][:400]


def test_the_mastodon_api_gives_acct_with_the_server_and_the_remote_urls(
    anon: Any, ana: Any, admin: Any
) -> None:
    remote = mention_from_admin(anon, admin, ana)
    api = token_client(ana.account)
    status = api.get(f"/api/v1/statuses/{remote.post.id}").json()
    assert status["uri"] == CW_NOTE and status["url"] == CW_PAGE
    account = status["account"]
    assert account["acct"] == "admin@mastodon.example.org" and account["username"] == "admin"
    assert account["url"] == ADMIN_PAGE and account["uri"] == ADMIN

    looked_up = api.get("/api/v1/accounts/lookup", acct="admin@mastodon.example.org").json()
    assert looked_up["id"] == account["id"] and looked_up["url"] == ADMIN_PAGE
    [found] = api.get(
        "/api/v2/search", q="@admin@mastodon.example.org", resolve="true", type="accounts"
    ).json()["accounts"]
    assert found["acct"] == "admin@mastodon.example.org" and found["url"] == ADMIN_PAGE
    mine = api.get(f"/api/v1/accounts/{ana.id}").json()
    assert mine["acct"] == "ana" and mine["url"] == "http://testserver/@ana"


def test_the_fediverse_feed_fills_with_posts_of_followed_remote_people(
    anon: Any, ana: Any, admin: Any
) -> None:
    followed = follow_remote(ana, "admin@mastodon.example.org")
    assert followed.acct == "admin@mastodon.example.org"
    activity = captured("mastodon/create-note-attachment")
    assert deliver_to_inbox(anon, admin, activity).status_code == 202
    remote = RemotePost.objects.get()
    html = ana.client.get("/", {"feed": "fediverse"}).content.decode()
    assert f'id="post-{remote.post.id}"' in html and ">admin@mastodon.example.org</a>" in html
    assert "No posts yet" not in html

    api = token_client(ana.account)
    home = api.get("/api/v1/timelines/home").json()
    assert [s["id"] for s in home] == [str(remote.post.id)]
    assert home[0]["account"]["acct"] == "admin@mastodon.example.org"
    remote_public = api.get("/api/v1/timelines/public", remote="true").json()
    assert str(remote.post.id) in [s["id"] for s in remote_public]


def _counts(html: str, post_id: int) -> list[str]:
    """The numbers shown under post ``post_id`` (likes, replies, reposts, quotes), in order."""
    match = re.search(rf'<div class="actions" id="actions-{post_id}">(.*?)</div>', html, re.S)
    assert match is not None
    return re.findall(r'<span class="count">(\d+)</span>', match.group(1))


def test_replies_likes_reposts_and_quotes_from_remote_people_count_on_local_posts(
    anon: Any, ana: Any, admin: Any, fediverse: Any
) -> None:
    post = ana.write("what do you weave?")
    target = post_uri(post)
    like = {"id": f"{ADMIN}#likes/7", "type": "Like", "actor": ADMIN, "object": target}
    assert deliver_to_inbox(anon, admin, like).status_code == 202
    announce = {**captured("mastodon/undo-announce")["object"], "object": target}
    assert deliver_to_inbox(anon, admin, announce).status_code == 202
    reply_uri = f"{ADMIN}/statuses/1001"
    reply = {
        "id": f"{reply_uri}/activity",
        "type": "Create",
        "actor": ADMIN,
        "to": [PUBLIC],
        "object": {
            "id": reply_uri,
            "type": "Note",
            "attributedTo": ADMIN,
            "content": "<p>linen, mostly</p>",
            "inReplyTo": target,
            "to": [PUBLIC],
            "url": f"{ADMIN_PAGE}/1001",
        },
    }
    assert deliver_to_inbox(anon, admin, reply).status_code == 202
    quote_uri = f"{ADMIN}/statuses/1002"
    quote = {
        **reply,
        "id": f"{quote_uri}/activity",
        "object": {
            **reply["object"],
            "id": quote_uri,
            "inReplyTo": None,
            "content": f"<p>look at this</p><p>RE: {target}</p>",
            "quote": target,
            "url": f"{ADMIN_PAGE}/1002",
        },
    }
    assert deliver_to_inbox(anon, admin, quote).status_code == 202

    status = token_client(ana.account).get(f"/api/v1/statuses/{post['id']}").json()
    assert (status["favourites_count"], status["replies_count"], status["reblogs_count"]) == (1, 1, 1)
    assert status["quotes_count"] == 1
    native = ana.view(post)
    assert (native["likes_count"], native["replies_count"], native["reposts_count"]) == (1, 1, 1)

    thread = ana.client.get(f"/@ana/post/{post['id']}").content.decode()
    assert _counts(thread, int(post["id"])) == ["1", "1", "1", "1"]
    reply_post = RemotePost.objects.get(uri=reply_uri).post
    assert f'id="post-{reply_post.id}"' in thread and "linen, mostly" in thread
    assert f'class="fediverse-mark" href="{ADMIN_PAGE}/1001"' in thread
    # Who liked and reposted shows them with their server.
    likers = token_client(ana.account).get(f"/api/v1/statuses/{post['id']}/favourited_by").json()
    assert [a["acct"] for a in likers] == ["admin@mastodon.example.org"]
    assert Account.objects.get(pk=likers[0]["id"]).domain == "mastodon.example.org"
