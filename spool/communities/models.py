"""A community gathers the people around one topic; a membership holds one person's place in it."""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account
from spool.posts.models import Topic


class Community(SnowflakeModel):
    """One topic's community. Its feed is the topic's posts; ``like_emoji`` is how likes show in it;
    ``flair_options`` are the labels members may pick (a list of strings)."""

    topic = models.OneToOneField(Topic, on_delete=models.PROTECT, related_name="community")
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=300, blank=True, default="")
    like_emoji = models.CharField(max_length=16, default="❤️")
    flair_options = models.JSONField(default=list, blank=True)
    members_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(SnowflakeModel):
    """``leader_since`` is set by the leader job while the member qualifies; ``leader_revoked_at`` and
    ``leader_revoked_reason`` record the last revocation (``"moderation"`` bars re-award for a while)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="community_memberships")
    flair = models.CharField(max_length=24, blank=True, default="")
    joined_at = models.DateTimeField(auto_now_add=True)
    leader_since = models.DateTimeField(null=True, blank=True)
    leader_revoked_at = models.DateTimeField(null=True, blank=True)
    leader_revoked_reason = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint("community", "account", name="community_member_unique")]
        indexes = [
            models.Index(fields=["account", "community"]),
            models.Index(fields=["community", "id"]),
        ]

    @property
    def is_leader(self) -> bool:
        return self.leader_since is not None
