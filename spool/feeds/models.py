"""Lists (Mastodon: lists) and read positions (Mastodon: markers)."""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account


class RepliesPolicy(models.TextChoices):
    FOLLOWED = "followed", "Replies to anyone I follow"
    LIST = "list", "Replies to list members"
    NONE = "none", "No replies"


class List(SnowflakeModel):
    """A private, named set of accounts the owner follows, read as its own timeline. ``exclusive`` lists take
    their members' posts out of the owner's home feed."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lists")
    title = models.CharField(max_length=100)
    replies_policy = models.CharField(max_length=8, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST)
    exclusive = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "id"])]


class ListMember(SnowflakeModel):
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint("list", "account", name="list_member_unique")]
        indexes = [models.Index(fields=["account", "list"])]


class Marker(models.Model):
    """Where a person stopped reading a timeline (``home`` or ``notifications``), synced across apps;
    ``version`` counts saves."""

    class Timeline(models.TextChoices):
        HOME = "home"
        NOTIFICATIONS = "notifications"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    timeline = models.CharField(max_length=13, choices=Timeline.choices)
    last_read_id = models.BigIntegerField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint("account", "timeline", name="marker_unique")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.timeline}={self.last_read_id}"


# Custom feeds live in their own package; imported here so Django registers them with this app.
from spool.feeds.custom.models import CustomFeed, DefaultFeed, FeedMode, FeedPin, FeedPreference  # noqa: E402
from spool.feeds.for_you.models import (  # noqa: E402, F401
    CandidatePool,
    DearAlgoRequest,
    PostFeedback,
    TopicFollow,
)

__all__ = [
    "CustomFeed",
    "DefaultFeed",
    "FeedMode",
    "FeedPin",
    "FeedPreference",
    "List",
    "ListMember",
    "Marker",
    "RepliesPolicy",
]

# Trending's rows likewise.
from spool.feeds.trending.models import (  # noqa: E402, F401
    CountedPost,
    HiddenKeyword,
    HiddenTopic,
    KeywordHour,
    KeywordHourAuthor,
    TopicHour,
    TopicHourAuthor,
    TopicReport,
    TrendingSnapshot,
)
