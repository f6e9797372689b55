"""Activity items shown in a person's Activity tab."""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account
from spool.posts.models import Post


class Kind(models.TextChoices):
    LIKE = "like"
    REPLY = "reply"
    MENTION = "mention"
    QUOTE = "quote"
    REPOST = "repost"
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"
    POLL_ENDED = "poll_ended"
    MODERATION = "moderation"  # moderators acted on the recipient's content or account, or decided an appeal


class Notification(SnowflakeModel):
    recipient = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "id"]),
            models.Index(fields=["recipient", "read"]),
        ]
