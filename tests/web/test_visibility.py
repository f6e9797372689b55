"""Private content never reaches a page it should not: private profiles to non-followers, and blocks both
ways, on every page and list (profile and its tabs, thread, topic, What's new, home, notifications)."""

from __future__ import annotations

import pytest

from spool.identities.services import approve_follow_request, block_account, follow_account
from spool.posts.services import repost_post
from tests.web.conftest import body

pytestmark = pytest.mark.django_db

SECRET = "Secret garden notes"
SECRET_REPLY = "Whispered reply"


@pytest.fixture
def world(make_account, write):
    """ada is private; dee follows her (approved); cy does not; bob is public. ada wrote a top-level post
    with a topic and a reply under bob's public post."""
    ada = make_account("ada", private=True)
    bob, cy, dee = make_account("bob"), make_account("cy"), make_account("dee")
    follow_account(dee, ada)
    approve_follow_request(ada, dee)
    follow_account(cy, ada)  # only a request: not approved
    follow_account(cy, bob)
    follow_account(dee, bob)
    secret = write(ada, SECRET, topic="Gardens")
    public = write(bob, "Public musings", topic="Gardens")
    reply = write(ada, SECRET_REPLY, reply_to_id=public.id)
    repost_post(bob, public.id)
    return {"ada": ada, "bob": bob, "cy": cy, "dee": dee, "secret": secret, "public": public, "reply": reply}


def pages(world):
    secret, public = world["secret"], world["public"]
    return [
        "/@ada",
        "/@ada?tab=replies",
        "/@ada?tab=reposts",
        "/@ada?tab=media",
        "/@ada?cursor=999999999999999999",
        f"/@bob/post/{public.id}",
        "/topic/gardens",
        "/new",
        "/@bob",
        "/@bob?tab=replies",
        f"/@ada/post/{secret.id}",
        f"/@ada/post/{world['reply'].id}",
    ]


def test_non_followers_and_visitors_see_no_private_posts(world, anon, login):
    for client in (anon, login(world["cy"])):
        for url in [*pages(world), "/"]:
            response = client.get(url, follow=True)
            text = body(response)
            assert SECRET not in text and SECRET_REPLY not in text, url
        profile = body(client.get("/@ada"))
        assert "This profile is private" in profile and "@ada" in profile
        assert client.get(f"/@ada/post/{world['secret'].id}").status_code == 404
        assert client.get(f"/@ada/post/{world['reply'].id}").status_code == 404
        # The htmx fragment of the profile is as private as the page.
        fragment = body(client.get("/@ada?cursor=1", HTTP_HX_REQUEST="true"))
        assert SECRET not in fragment


def test_followers_see_private_posts_everywhere_they_belong(world, login):
    c = login(world["dee"])
    assert SECRET in body(c.get("/@ada"))
    assert SECRET_REPLY in body(c.get("/@ada?tab=replies"))
    assert SECRET in body(c.get(f"/@ada/post/{world['secret'].id}"))
    assert SECRET_REPLY in body(c.get(f"/@bob/post/{world['public'].id}"))
    assert SECRET in body(c.get("/topic/gardens"))
    assert SECRET in body(c.get("/"))
    # What's new lists public profiles only, even for followers.
    assert SECRET not in body(c.get("/new"))


def test_the_author_sees_their_own_private_posts(world, login):
    c = login(world["ada"])
    assert SECRET in body(c.get("/@ada")) and SECRET in body(c.get("/"))


def test_blocked_person_gets_404_and_sees_nothing(world, login, anon):
    bob, cy = world["bob"], world["cy"]
    block_account(bob, cy)
    c = login(cy)
    assert c.get("/@bob").status_code == 404
    assert c.get(f"/@bob/post/{world['public'].id}").status_code == 404
    for url in ("/", "/new", "/topic/gardens", "/@cy?tab=reposts"):
        assert "Public musings" not in body(c.get(url)), url
    # Acting on the blocker's posts is refused the same way.
    assert c.post(f"/@bob/post/{world['public'].id}/like").status_code == 404
    assert c.post("/@bob/relationship", {"action": "follow"}).status_code == 404
    # Everyone else still sees bob.
    assert anon.get("/@bob").status_code == 200


def test_blocker_does_not_see_the_blocked_persons_posts(world, login, write):
    bob, cy = world["bob"], world["cy"]
    write(cy, "Cy talks about #Gardens")
    block_account(bob, cy)
    c = login(bob)
    for url in ("/", "/new", "/topic/gardens"):
        assert "Cy talks" not in body(c.get(url)), url
    page = body(c.get("/@cy"))
    assert "You blocked @cy" in page and "Cy talks" not in page


def test_notification_excerpts_keep_spoilers_hidden(login, make_account, write):
    ada, bob = make_account("ada"), make_account("bob")
    write(bob, "@ada the killer is the gardener", spoilers=[[19, 12]])
    page = body(login(ada).get("/notifications"))
    assert "mentioned you" in page
    assert "gardener" not in page and "▒" in page
