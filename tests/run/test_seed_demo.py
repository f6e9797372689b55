"""``manage.py seed_demo`` builds the promised lived-in site, through the services, once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from spool.accounts.models import User
from spool.core.snowflake import time_of
from spool.identities.models import Account, Follow, FollowRequest
from spool.notifications.models import Notification
from spool.posts.models import Like, LinkCard, Media, Mention, Poll, PollVote, Post, Repost, Save, Topic

PASSWORD = "demo-password-for-tests"


def _seed(capsys_out: StringIO | None = None) -> str:
    out = capsys_out or StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_a_lived_in_site_once(settings: Any, tmp_path: Any, anon: Any) -> None:
    settings.DATA_DIR = tmp_path
    output = _seed()
    assert "Demo data loaded" in output
    assert f"demo@spool.local / {PASSWORD}" in output
    assert (tmp_path / "demo-login.txt").read_text().strip() == f"demo@spool.local / {PASSWORD}"

    # People: three dozen, with bios, links, avatars, some private.
    people = Account.objects.all()
    assert people.count() == 36
    assert people.exclude(bio="").count() == 36
    assert people.exclude(links=[]).count() >= 10
    assert people.exclude(avatar="").exclude(avatar=None).count() >= 30
    assert 3 <= people.filter(is_private=True).count() <= 8

    # A follow graph with pending requests to private profiles; counters agree with the rows.
    assert Follow.objects.count() >= 150
    assert FollowRequest.objects.filter(target__is_private=True).exists()
    demo = Account.objects.get(handle="demo")
    assert FollowRequest.objects.filter(requester=demo).exists()
    for account in people.annotate(
        n=Count("follower_edges", distinct=True), m=Count("following_edges", distinct=True)
    ):
        assert (account.followers_count, account.following_count) == (account.n, account.m), account.handle

    # Posts over the last three weeks, replies forming threads, quotes, reposts, likes, saves.
    roots = Post.objects.filter(reply_to__isnull=True, root__isnull=True)
    replies = Post.objects.filter(reply_to__isnull=False)
    assert roots.count() >= 150 and replies.count() >= 100
    assert Post.objects.count() >= 300
    assert replies.filter(reply_to__reply_to__isnull=False).exists(), "no reply to a reply"
    assert (
        replies.filter(reply_to__author=F("root__author")).exists()
        or replies.filter(author=F("root__author")).exists()
    )
    assert Post.objects.filter(quote_of__isnull=False).count() >= 5
    assert Repost.objects.count() >= 20
    assert Like.objects.count() >= 200
    assert Save.objects.count() >= 10
    oldest = Post.objects.order_by("created_at").first()
    assert oldest is not None and timezone.now() - oldest.created_at > timedelta(days=14)
    # History was made at the time it claims: each ID encodes its row's created_at.
    for post in Post.objects.order_by("?")[:50]:
        assert abs(time_of(post.id) - post.created_at) < timedelta(seconds=1)

    # Counters are exact.
    likes = dict(Like.objects.values_list("post_id").annotate(n=Count("id")))
    replies_of = dict(replies.values_list("reply_to_id").annotate(n=Count("id")))
    reposts = dict(Repost.objects.values_list("post_id").annotate(n=Count("id")))
    for post_id, likes_count, replies_count, reposts_count in Post.objects.values_list(
        "id", "likes_count", "replies_count", "reposts_count"
    ):
        assert likes_count == likes.get(post_id, 0), post_id
        assert replies_count == replies_of.get(post_id, 0), post_id
        assert reposts_count == reposts.get(post_id, 0), post_id

    # Topics, spoilers, images (one behind a media spoiler), polls, a ghost post, links, mentions, long posts.
    assert Topic.objects.filter(posts_count__gt=0).count() >= 8
    assert Post.objects.exclude(spoilers=[]).count() >= 3
    assert Media.objects.filter(post__isnull=False).count() >= 5
    assert Post.objects.filter(media_spoiler=True, media__isnull=False).exists()
    ended, still_open = (
        Poll.objects.filter(closed=True),
        Poll.objects.filter(closed=False, expires_at__gt=timezone.now()),
    )
    assert ended.count() == 1 and still_open.count() == 1
    assert PollVote.objects.filter(poll__in=ended).count() >= 5
    assert Notification.objects.filter(kind="poll_ended").count() >= 5
    assert Post.objects.filter(ghost="active", expires_at__gt=timezone.now()).count() == 1
    assert LinkCard.objects.count() >= 5
    assert Post.objects.filter(card__isnull=False).count() >= 5
    assert Mention.objects.filter(account=demo).exists()
    assert Post.objects.exclude(attachment_text="").exists()
    assert Post.objects.filter(edited_at__isnull=False).exists()

    # The demo account has an Activity tab with something new and something already read.
    assert Notification.objects.filter(recipient=demo, read=False).exists()
    assert Notification.objects.filter(recipient=demo, read=True).exists()

    # The demo account moderates: the queue has reports waiting.
    from spool.moderation.models import Report
    from spool.moderation.roles import role_of

    assert role_of(demo) == "moderator" and Report.objects.filter(status="open").count() == 3

    # The printed login works, and logged-out visitors see a lively site.
    assert anon.post("/login", {"email": "demo@spool.local", "password": PASSWORD}).status_code == 302
    feed = anon.get("/api/spool/v1/posts/feeds/whats-new").json()
    assert len(feed["items"]) >= 10

    # A second run changes nothing.
    before = (User.objects.count(), Post.objects.count(), Like.objects.count(), Notification.objects.count())
    assert "already loaded" in _seed()
    assert (
        User.objects.count(),
        Post.objects.count(),
        Like.objects.count(),
        Notification.objects.count(),
    ) == before
