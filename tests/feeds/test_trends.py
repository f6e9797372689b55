"""Trending topics against their own baseline, Tag history, and trending posts by engagement."""

from __future__ import annotations

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from spool.feeds.trending.history import topic_history
from spool.feeds.trends import trending_posts, trending_topics
from spool.identities.services import block_account, update_profile
from spool.posts.models import Post
from spool.posts.services import create_post, like_post, repost_post


def _post(author, topic, days_ago=0):
    # Committed, as a real request would: trending counts a post once its transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        post = create_post(author, text=f"about {topic}", topic=topic)
    if days_ago:
        Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return post


def test_a_burst_trends_with_a_week_of_history(people):
    crowd = [people(f"p{n}") for n in range(4)]
    for person in crowd[:3]:
        _post(person, "Eclipse")
    _post(crowd[3], "Alone")  # one person is not a trend
    trends = trending_topics()
    assert [t.topic.display for t in trends] == ["Eclipse"]
    history = trends[0].history
    assert len(history) == 7 and (history[0].uses, history[0].accounts) == (3, 3)
    assert all(day.uses == 0 for day in history[1:])
    assert history[0].timestamp % 86400 == 0 and history[0].timestamp > history[1].timestamp


def test_private_posts_do_not_count(people):
    crowd = [people(f"p{n}") for n in range(3)]
    for person in crowd:
        update_profile(person, is_private=True)
        _post(person, "Secret")
    assert trending_topics() == []
    (topic_id,) = Post.objects.values_list("topic_id", flat=True).distinct()
    assert topic_history([topic_id])[topic_id][0].uses == 0


def test_trending_posts_rank_by_engagement_and_respect_the_viewer(people):
    ana, bo, cy, di = people("ana"), people("bo"), people("cy"), people("di")
    quiet = create_post(ana, text="nobody cares")
    liked = create_post(ana, text="liked once")
    loved = create_post(bo, text="reposted")
    like_post(cy, liked.id)
    repost_post(cy, loved.id)
    Post.objects.create(id=1, author=bo, text="old news", likes_count=9)  # made long before the window
    assert [p.id for p in trending_posts(None)] == [loved.id, liked.id]
    assert quiet.id not in [p.id for p in trending_posts(di)]
    block_account(di, bo)
    assert [p.id for p in trending_posts(di)] == [liked.id]
    assert [p.id for p in trending_posts(None, limit=1, offset=1)] == [liked.id]
