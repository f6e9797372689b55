"""Following topics: a followed topic's posts become For You candidates and count as interest. Mastodon's
followed hashtags map here. Following a topic nobody has used yet creates it, as Mastodon does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from spool.core.errors import NotFound, ValidationError
from spool.core.ratelimit import Limit, hit
from spool.feeds.for_you.feed import forget_after_commit
from spool.feeds.for_you.models import TopicFollow
from spool.identities.models import Account
from spool.posts.models import Topic
from spool.posts.services.topics import find_topic, topic_for
from spool.posts.services.validation import check_topic

MAX_FOLLOWED_TOPICS = 500
TOPIC_FOLLOW_LIMIT = Limit("topic_follows", 200, timedelta(hours=1))


def _topic_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("A topic needs at least one character.", code="topic_empty", field="name")
    return check_topic(name, "")


def follow_topic(account: Account, name: Any) -> Topic:
    """Follow the topic written ``name`` (any case, ``#`` optional), creating it if new. Following twice
    changes nothing. Refused past ``MAX_FOLLOWED_TOPICS``; rate-limited."""
    display = _topic_name(name)
    hit(TOPIC_FOLLOW_LIMIT, account.id)
    with transaction.atomic():
        topic = topic_for(display)
        assert topic is not None
        if not TopicFollow.objects.filter(account=account, topic=topic).exists():
            if TopicFollow.objects.filter(account=account).count() >= MAX_FOLLOWED_TOPICS:
                raise ValidationError(
                    f"You can follow at most {MAX_FOLLOWED_TOPICS} topics.", code="too_many", field="name"
                )
            TopicFollow.objects.get_or_create(account=account, topic=topic)
            forget_after_commit(account.id)
    return topic


def unfollow_topic(account: Account, name: Any) -> Topic:
    """Stop following a topic (not following it changes nothing); ``NotFound`` for an unknown topic."""
    topic = find_topic(name) if isinstance(name, str) else None
    if topic is None:
        raise NotFound()
    with transaction.atomic():
        deleted, _ = TopicFollow.objects.filter(account=account, topic=topic).delete()
        if deleted:
            forget_after_commit(account.id)
    return topic


def follows_topic(account: Account | None, topic: Topic) -> bool:
    return account is not None and TopicFollow.objects.filter(account=account, topic=topic).exists()


def followed_among(account: Account | None, topic_ids: Iterable[int]) -> set[int]:
    """Which of ``topic_ids`` the account follows (one query)."""
    if account is None:
        return set()
    return set(
        TopicFollow.objects.filter(account=account, topic_id__in=list(topic_ids)).values_list(
            "topic_id", flat=True
        )
    )


def topic_follows(account: Account) -> QuerySet[TopicFollow]:
    """The account's topic follows with their topics, newest first; paginate on the follow's ID."""
    return TopicFollow.objects.filter(account=account).select_related("topic").order_by("-id")
