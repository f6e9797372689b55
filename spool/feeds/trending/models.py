"""Rows behind trending: hourly topic activity (the embedded counter store), the computed snapshot that
pages read, and the moderators' and readers' say over it (hidden topics, reports)."""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account
from spool.posts.models import Topic


class TopicHour(models.Model):
    """Public posts tagged with a topic in one UTC hour (``hour`` = UNIX hours), and how many distinct
    accounts wrote them in that hour. Written only by the SQL activity store."""

    topic_id = models.BigIntegerField()
    hour = models.IntegerField()
    uses = models.PositiveIntegerField(default=0)
    authors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint("hour", "topic_id", name="topic_hour_unique")]

    def __str__(self) -> str:
        return f"{self.topic_id}@{self.hour}={self.uses}/{self.authors}"


class TopicHourAuthor(models.Model):
    """Who used a topic in an hour: makes ``TopicHour.authors`` exact and answers "how many distinct people
    in the window" (the Redis store keeps HyperLogLogs instead)."""

    topic_id = models.BigIntegerField()
    hour = models.IntegerField()
    author_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint("hour", "topic_id", "author_id", name="topic_hour_author_unique")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}@{self.hour}:{self.author_id}"


class TrendingSnapshot(models.Model):
    """The last computed trending list with its highlights (one row, ``id=1``). The periodic job writes it;
    pages read it through the cache, so the web process sees what the worker computed in every mode."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"trending at {self.computed_at}"


class HiddenTopic(SnowflakeModel):
    """A topic a moderator took out of trending (it can still be posted in and read)."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="+")
    hidden_by = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)


class TopicReport(SnowflakeModel):
    """Someone reported a trending topic. Kept minimal on purpose: the moderation queue
    (``spool.moderation``) is expected to read these rows; one report per person and topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint("topic", "reporter", name="topic_report_once")]
        indexes = [models.Index(fields=["resolved", "id"])]


class KeywordHour(models.Model):
    """Public posts whose text used a keyword (a word or a two-word phrase, see
    :mod:`spool.feeds.trending.keywords`) in one UTC hour, and how many distinct accounts wrote them. Written
    only by the SQL keyword store."""

    term = models.CharField(max_length=64)
    hour = models.IntegerField()
    uses = models.PositiveIntegerField(default=0)
    authors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint("hour", "term", name="keyword_hour_unique")]

    def __str__(self) -> str:
        return f"{self.term}@{self.hour}={self.uses}/{self.authors}"


class KeywordHourAuthor(models.Model):
    """Who used a keyword in an hour (the Redis store keeps HyperLogLogs instead)."""

    term = models.CharField(max_length=64)
    hour = models.IntegerField()
    author_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint("hour", "term", "author_id", name="keyword_hour_author_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term}@{self.hour}:{self.author_id}"


class CountedPost(models.Model):
    """A post already counted for trending (SQL stores; the Redis stores keep a key with a TTL instead):
    written in the same transaction as its counts, so a retried count task counts it once. Pruned with
    the hourly buckets (``hour`` is the post's)."""

    post_id = models.BigIntegerField(primary_key=True)
    hour = models.IntegerField(db_index=True)

    def __str__(self) -> str:
        return f"counted {self.post_id}"


class HiddenKeyword(SnowflakeModel):
    """A keyword a moderator took out of trending."""

    term = models.CharField(max_length=64, unique=True)
    hidden_by = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.term
