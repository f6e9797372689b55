"""Custom feed definitions, the feeds a person pinned (in order) and the feed ``/`` opens for them.

Imported by :mod:`spool.feeds.models`, so Django finds them under the ``feeds`` app."""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account


class FeedMode(models.TextChoices):
    TOP = "top", "Top"
    RECENT = "recent", "Recent"


class CustomFeed(SnowflakeModel):
    """A named definition: posts with any of ``topics`` (display names), by any of ``profiles`` (account
    IDs) or holding any of ``keywords``, ranked by ``mode``. Private to its owner unless ``is_shared``."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="custom_feeds")
    name = models.CharField(max_length=50)
    mode = models.CharField(max_length=6, choices=FeedMode.choices, default=FeedMode.RECENT)
    topics = models.JSONField(default=list, blank=True)
    profiles = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    is_shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class FeedPin(SnowflakeModel):
    """A feed in someone's switcher, at ``position`` (0 first). Anyone may pin a feed they may read."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    feed = models.ForeignKey(CustomFeed, on_delete=models.CASCADE, related_name="pins")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint("account", "feed", name="feed_pin_unique")]
        indexes = [models.Index(fields=["account", "position"])]


class DefaultFeed(models.TextChoices):
    FOLLOWING = "following", "Following"
    FOR_YOU = "for_you", "For You"
    CUSTOM = "custom", "A pinned feed"


class FeedPreference(models.Model):
    """Which feed ``/`` opens: Following (also when no row exists), For You, or ``feed`` (a pinned one;
    unpinning or deleting it falls back to Following)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="+")
    default = models.CharField(max_length=10, choices=DefaultFeed.choices, default=DefaultFeed.FOLLOWING)
    feed = models.ForeignKey(CustomFeed, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.account_id}: {self.default} {self.feed_id or ''}".rstrip()
