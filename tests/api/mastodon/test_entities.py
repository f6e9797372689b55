"""The entity renderers every Mastodon endpoint uses: shapes against Mastodon's schemas, the Threads
mapping (topic, spoilers, quotes, ghost posts), the viewer's flags and a fixed query cost per page.
Data is written through the domain services; the renderers are the interface under test."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spool.api.mastodon.entities import (
    render_account,
    render_accounts,
    render_credential_account,
    render_media,
    render_poll,
    render_reblogs,
    render_relationships,
    render_status,
    render_statuses,
    render_tag,
)
from spool.identities.models import Account
from spool.identities.services import block_account, follow_account, register_account, update_profile
from spool.posts.models import ConversationMute, PinnedPost, Poll, Post, Repost, Topic
from spool.posts.services import (
    create_post,
    like_post,
    repost_post,
    save_post,
    upload_media,
    vote_in_poll,
)
from tests.api.mastodon.helpers import png
from tests.api.mastodon.shapes import assert_shape

pytestmark = pytest.mark.django_db


def person(handle: str, **profile: Any) -> Account:
    return register_account(
        email=f"{handle}@example.com",
        password="correct horse battery staple",
        handle=handle,
        client_address=None,
        **profile,
    )


@pytest.fixture
def ana() -> Account:
    account = person("ana")
    return update_profile(
        account,
        display_name="Ana",
        bio="Hi @bo, see https://example.com",
        links=[{"url": "https://ana.example", "title": "Site"}],
    )


@pytest.fixture
def bo() -> Account:
    return person("bo")


def test_account_and_credential_account_shapes(ana: Account, bo: Account) -> None:
    data = render_account(bo, ana)
    assert_shape("Account", data)
    assert data["id"] == str(ana.pk)
    assert data["username"] == data["acct"] == "ana"
    assert data["url"] == "http://127.0.0.1:8000/@ana"
    assert data["fields"][0]["name"] == "Site"
    assert 'href="https://ana.example"' in data["fields"][0]["value"]
    assert data["note"].startswith("<p>") and 'href="http://127.0.0.1:8000/@bo"' in data["note"]
    assert data["locked"] is False

    own = render_credential_account(ana)
    assert_shape("CredentialAccount", own)
    assert own["source"]["note"] == "Hi @bo, see https://example.com"
    assert own["source"]["fields"] == [{"name": "Site", "value": "https://ana.example", "verified_at": None}]
    assert own["source"]["privacy"] == "public"
    assert own["source"]["follow_requests_count"] == 0

    assert_shape("Account", render_accounts(None, [ana, bo]))


def test_private_account_is_locked_and_its_posts_private(bo: Account) -> None:
    cy = person("cy")
    update_profile(cy, is_private=True)
    post = create_post(cy, text="followers only")
    assert render_account(bo, cy)["locked"] is True
    status = render_status(cy, post)
    assert status["visibility"] == "private"
    assert status["quote_approval"]["automatic"] == []
    credential = render_credential_account(cy)
    assert credential["source"]["privacy"] == "private"


def test_rich_status_shape_and_threads_mapping(ana: Account, bo: Account) -> None:
    media = upload_media(ana, png(), alt_text="a red square")
    quoted = create_post(bo, text="the original")
    post = create_post(
        ana,
        text="Look @bo, big news inside",
        topic="Book Club",
        spoilers=[[15, 3]],
        media_ids=[media.id],
        media_spoiler=True,
        quote_of_id=quoted.id,
        reply_control="followers_only",
    )
    data = render_status(bo, post)
    assert_shape("Status", data)
    assert data["id"] == str(post.id)
    assert data["tags"] == [{"name": "Book Club", "url": "http://127.0.0.1:8000/topic/Book%20Club"}]
    assert data["mentions"] == [
        {"id": str(bo.pk), "username": "bo", "acct": "bo", "url": "http://127.0.0.1:8000/@bo"}
    ]
    assert 'href="http://127.0.0.1:8000/@bo"' in data["content"]
    assert data["sensitive"] is True
    assert data["spoiler_text"] == "Spoiler"
    assert data["spool"]["spoilers"] == [[15, 3]]
    assert data["spool"]["topic"] == "Book Club"
    assert data["spool"]["reply_control"] == "followers_only"
    assert data["media_attachments"][0]["description"] == "a red square"
    assert data["media_attachments"][0]["meta"]["original"]["width"] == 8
    assert data["quote"]["state"] == "accepted"
    assert data["quote"]["quoted_status"]["id"] == str(quoted.id)
    assert data["visibility"] == "public"
    assert data["application"] is None


def test_reply_poll_and_ghost(ana: Account, bo: Account) -> None:
    root = create_post(ana, text="Pick one", poll_options=["tea", "coffee"])
    vote_in_poll(bo, root.id, 1)
    reply = create_post(bo, text="coffee, always", reply_to_id=root.id)
    ghost = create_post(ana, text="gone tomorrow", ghost=True)
    like_post(bo, ghost.id)

    root_data, reply_data, ghost_data = render_statuses(bo, [root, reply, ghost])
    assert_shape("Status", [root_data, reply_data, ghost_data])
    poll = root_data["poll"]
    assert_shape("Poll", poll)
    assert poll["id"] == str(root.id)
    assert poll["voted"] is True and poll["own_votes"] == [1]
    assert [o["votes_count"] for o in poll["options"]] == [0, 1]
    assert reply_data["in_reply_to_id"] == str(root.id)
    assert reply_data["in_reply_to_account_id"] == str(ana.pk)
    assert ghost_data["spool"]["ghost"] is True
    assert ghost_data["favourites_count"] == 0  # counts of others' ghost posts are hidden
    assert ghost_data["spool"]["counts_hidden"] is True
    assert render_status(ana, Post.objects.get(pk=ghost.pk))["favourites_count"] == 1

    anonymous = render_poll(None, Poll.objects.get(post=root))
    assert_shape("Poll", anonymous)
    assert anonymous["voted"] is None and anonymous["own_votes"] is None


def test_viewer_flags(ana: Account, bo: Account) -> None:
    post = create_post(ana, text="flag me")
    like_post(bo, post.id)
    repost_post(bo, post.id)
    save_post(bo, post.id)
    ConversationMute.objects.create(account=bo, root=post)
    PinnedPost.objects.create(account=ana, post=post)

    for_bo = render_status(bo, post)
    assert (for_bo["favourited"], for_bo["reblogged"], for_bo["bookmarked"], for_bo["muted"]) == (
        True,
        True,
        True,
        True,
    )
    assert for_bo["pinned"] is False  # only the author's own pins show
    for_ana = render_status(ana, post)
    assert (for_ana["favourited"], for_ana["reblogged"], for_ana["muted"], for_ana["pinned"]) == (
        False,
        False,
        False,
        True,
    )
    anonymous = render_status(None, post)
    assert anonymous["favourited"] is False and anonymous["pinned"] is False


def test_reblog_wrapper(ana: Account, bo: Account) -> None:
    post = create_post(ana, text="boost me")
    repost_post(bo, post.id)
    repost = Repost.objects.get(account=bo, post=post)
    (wrapper,) = render_reblogs(ana, [Repost.objects.get(pk=repost.pk)])
    assert_shape("Status", wrapper)
    assert wrapper["id"] == str(repost.id)
    assert wrapper["account"]["id"] == str(bo.pk)
    assert wrapper["reblog"]["id"] == str(post.id)
    assert wrapper["reblog"]["account"]["id"] == str(ana.pk)
    assert wrapper["content"] == ""


def test_relationships_media_and_tag_shapes(ana: Account, bo: Account) -> None:
    cy = person("cy")
    follow_account(bo, ana)
    block_account(bo, cy)
    rel_ana, rel_cy = render_relationships(bo, [ana, cy])
    assert_shape("Relationship", [rel_ana, rel_cy])
    assert rel_ana["following"] is True and rel_ana["showing_reblogs"] is True
    assert rel_cy["blocking"] is True and rel_cy["following"] is False
    assert render_relationships(ana, [bo])[0]["followed_by"] is True

    media = upload_media(ana, png(), alt_text="")
    data = render_media(media)
    assert_shape("MediaAttachment", data)
    assert data["description"] is None and data["type"] == "image"
    assert data["url"].startswith("http://127.0.0.1:8000/media/")

    create_post(ana, text="topical", topic="Gardening")
    tag = render_tag(Topic.objects.get(name="gardening"), ana)
    assert_shape("Tag", tag)
    assert tag["name"] == "Gardening" and tag["following"] is False


def _page(author: Account, reposter: Account, n: int) -> list[Any]:
    items: list[Any] = []
    other = person(f"q{n}")
    quoted = create_post(other, text="quoted")
    for i in range(n):
        kind = i % 4
        if kind == 0:
            items.append(create_post(author, text=f"post {i} @{reposter.handle}", topic="Books"))
        elif kind == 1:
            items.append(create_post(author, text=f"poll {i}", poll_options=["a", "b"]))
        elif kind == 2:
            items.append(create_post(author, text=f"quote {i}", quote_of_id=quoted.id))
        else:
            target = create_post(other, text=f"reposted {i}")
            repost_post(reposter, target.id)
            items.append(Repost.objects.get(account=reposter, post=target))
    for item in items[:3]:
        if isinstance(item, Post):
            like_post(reposter, item.id)
    return items


def _queries(viewer: Account, items: list[Any]) -> int:
    fresh = [Post.objects.get(pk=i.pk) if isinstance(i, Post) else Repost.objects.get(pk=i.pk) for i in items]
    with CaptureQueriesContext(connection) as captured:
        rendered = render_statuses(viewer, fresh)
    assert len(rendered) == len(items)
    assert_shape("Status", rendered)
    return len(captured.captured_queries)


def test_a_page_costs_the_same_for_5_and_40_statuses(ana: Account, bo: Account) -> None:
    small = _queries(bo, _page(ana, bo, 5))
    large = _queries(bo, _page(ana, bo, 40))
    assert small == large, (small, large)
    assert large == 10, large  # 2 for the reposts, 7 for the cards, 1 for pins and muted threads
