"""For You's own rows: followed topics, feedback on single posts, and Dear Algo requests.

Imported by ``spool.feeds.models`` so Django registers them with the feeds app (their migrations live there).
"""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account
from spool.posts.models import Post, Topic


class TopicFollow(SnowflakeModel):
    """Someone follows a topic: its posts become For You candidates and count as interest."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "feeds"
        constraints = [models.UniqueConstraint("account", "topic", name="topic_follow_unique")]
        indexes = [models.Index(fields=["account", "id"]), models.Index(fields=["topic", "id"])]


class FeedbackKind(models.TextChoices):
    MORE = "more", "Show more"
    LESS = "less", "Show less"
    NOT_INTERESTED = "not_interested", "Not interested"


class PostFeedback(SnowflakeModel):
    """One person's steering on one post (the latest kind wins). ``author`` and ``topic`` are copied from the
    post when given, so the feedback keeps steering after the post is gone."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, on_delete=models.SET_NULL, related_name="+")
    post_key = models.BigIntegerField(help_text="The post's ID, kept when the post is deleted.")
    author = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=FeedbackKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "feeds"
        constraints = [models.UniqueConstraint("account", "post_key", name="post_feedback_unique")]
        indexes = [models.Index(fields=["account", "id"])]


class DearAlgoRequest(SnowflakeModel):
    """ "Dear Algo, show me more about cycling": what the request said, what it was read as (``more`` and
    ``less`` lists of terms: topic keys or words), and until when it steers For You. Revoking sets
    ``revoked_at``; a request written as a post keeps the post's ID in ``post``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=280)
    more = models.JSONField(default=list, blank=True)
    less = models.JSONField(default=list, blank=True)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "feeds"
        indexes = [models.Index(fields=["account", "expires_at"])]


class CandidatePool(models.Model):
    """A precomputed candidate pool (``new_voices``, ``trending_posts``, ``trending_topics``): post IDs
    best first, at most ``pools.POOL_SIZE``. The embedded store of :mod:`spool.feeds.for_you.pool_store`
    (Redis holds them at scale); the beat job rewrites every row."""

    name = models.CharField(max_length=40, primary_key=True)
    ids = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        app_label = "feeds"

    def __str__(self) -> str:
        return f"{self.name}: {len(self.ids)} at {self.computed_at}"
