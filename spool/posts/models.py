"""Posts and everything attached to or done to them.

Counters on ``Post`` (likes, replies, reposts, quotes) are denormalised and kept exact by the services in
``spool.posts.services``, which change them with ``F()`` updates in the same transaction as the row they
count.
"""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account
from spool.posts.querysets import PostManager


class ReplyControl(models.TextChoices):
    EVERYONE = "everyone", "Anyone"
    ACCOUNTS_YOU_FOLLOW = "accounts_you_follow", "Profiles you follow"
    MENTIONED_ONLY = "mentioned_only", "Mentioned only"
    FOLLOWERS_ONLY = "followers_only", "Your followers"
    PARENT_POST_AUTHOR_ONLY = "parent_post_author_only", "Only you"


class GhostStatus(models.TextChoices):
    NONE = "", "Not a ghost post"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class Topic(SnowflakeModel):
    """A topic tag. ``name`` is the normalised key (case-folded, spaces collapsed); ``display`` is how it was
    first written, shown without a ``#``."""

    name = models.CharField(max_length=50, unique=True)
    display = models.CharField(max_length=50)
    posts_count = models.PositiveIntegerField(default=0)
    # Set by moderators (limit reach): the topic is left out of trending.
    reach_limited = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.display


class LinkCard(SnowflakeModel):
    """A preview of a link, fetched in the background through the SSRF-safe fetcher."""

    class State(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"

    url = models.URLField(max_length=2000, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    title = models.CharField(max_length=300, blank=True, default="")
    description = models.CharField(max_length=1000, blank=True, default="")
    image_url = models.URLField(max_length=2000, blank=True, default="")
    site_name = models.CharField(max_length=200, blank=True, default="")
    fetched_at = models.DateTimeField(null=True, blank=True)


class ModerationState(models.TextChoices):
    NONE = "", "Published"
    REVIEW = "review", "Held for review"  # the spam score held it: only its author sees it
    REMOVED = "removed", "Removed by moderators"  # nobody sees it (the moderation queue keeps a snapshot)


class Post(SnowflakeModel):
    author = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(blank=True, default="")
    # Text attachment (long post): plain text up to 10,000 characters with styling ranges
    # [{"offset", "length", "styles": ["bold", ...]}].
    attachment_text = models.TextField(blank=True, default="")
    attachment_styles = models.JSONField(default=list, blank=True)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    # Text spoilers: up to 10 [offset, length] ranges of ``text`` hidden until revealed.
    spoilers = models.JSONField(default=list, blank=True)
    media_spoiler = models.BooleanField(default=False)
    links = models.JSONField(default=list, blank=True)
    card = models.ForeignKey(LinkCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # Stays true when the parent is deleted (``reply_to`` becomes null), so an orphaned reply never passes
    # for a top-level post in profiles and feeds.
    is_reply = models.BooleanField(default=False)
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="thread_posts",
        help_text="The first post of the thread; null for a root post.",
    )
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    # Copied from the parent and the thread's first post when the reply is written (they never change), so
    # ``visible_to`` decides without joining other posts. Meaningful only while ``reply_to``/``root`` is set:
    # a deleted parent or root leaves them behind, and every rule that reads them checks that first.
    reply_to_author = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    root_author = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    root_ghost = models.BooleanField(default=False, help_text="The thread's first post is a ghost post.")
    reply_control = models.CharField(
        max_length=32, choices=ReplyControl.choices, default=ReplyControl.EVERYONE
    )
    # Hiding a reply hides its whole subtree; ``hidden_by`` names the reply whose hiding hid this one.
    hidden = models.BooleanField(default=False)
    hidden_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    ghost = models.CharField(max_length=10, choices=GhostStatus.choices, default=GhostStatus.NONE, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    # Set only by spool.moderation's services. ``moderation_state`` is part of ``visible_to``;
    # ``reach_limited`` is applied by discovery surfaces through ``PostQuerySet.full_reach``.
    moderation_state = models.CharField(
        max_length=8, choices=ModerationState.choices, default=ModerationState.NONE, blank=True
    )
    sensitive = models.BooleanField(default=False, help_text="Marked sensitive by moderators.")
    reach_limited = models.BooleanField(default=False, help_text="Left out of For You, trending and search.")

    likes_count = models.PositiveIntegerField(default=0)
    replies_count = models.PositiveIntegerField(default=0, help_text="Direct replies.")
    reposts_count = models.PositiveIntegerField(default=0)
    quotes_count = models.PositiveIntegerField(default=0)

    objects = PostManager()

    class Meta:
        indexes = [
            models.Index(fields=["author", "id"]),
            models.Index(fields=["author", "is_reply", "id"]),
            models.Index(fields=["reply_to", "id"]),
            models.Index(fields=["root", "id"]),
            models.Index(fields=["topic", "id"]),
            models.Index(fields=["ghost", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.author_id}:{self.id}"

    @property
    def is_ghost(self) -> bool:
        return bool(self.ghost)


class PostEdit(SnowflakeModel):
    """A kept earlier version of an edited post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True, default="")
    spoilers = models.JSONField(default=list, blank=True)
    topic_display = models.CharField(max_length=50, blank=True, default="")
    media_spoiler = models.BooleanField(default=False)
    attachment_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(help_text="When this version was written.")


class Media(SnowflakeModel):
    """An uploaded image. Uploaded first (unattached), then attached to one post by its author."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.ImageField(upload_to="media/%Y/%m/")
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=1000, blank=True, default="")
    # Focal point for cropped thumbnails, each in [-1, 1] (0, 0 = the centre), as Mastodon clients send it.
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["post", "position"])]


class Poll(models.Model):
    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="poll")
    expires_at = models.DateTimeField()
    closed = models.BooleanField(default=False, help_text="Set when the end was processed (voters notified).")
    votes_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"poll:{self.post_id}"


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=25)
    votes_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint("poll", "position", name="poll_option_position_unique")]

    def __str__(self) -> str:
        return self.text


class PollVote(SnowflakeModel):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="poll_votes")

    class Meta:
        constraints = [models.UniqueConstraint("poll", "voter", name="poll_vote_once")]


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mentioned_in")

    class Meta:
        constraints = [models.UniqueConstraint("post", "account", name="mention_unique")]

    def __str__(self) -> str:
        return f"{self.post_id}@{self.account_id}"


class _Interaction(SnowflakeModel):
    """Someone did something to a post once (like, repost, save); the ID orders the 'liked by' lists."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Like(_Interaction):
    class Meta:
        constraints = [models.UniqueConstraint("account", "post", name="like_unique")]
        indexes = [models.Index(fields=["post", "id"]), models.Index(fields=["account", "id"])]


class Repost(_Interaction):
    """A repost shows the post in the reposter's profile and followers' feeds; its ID orders it there."""

    class Meta:
        constraints = [models.UniqueConstraint("account", "post", name="repost_unique")]
        indexes = [models.Index(fields=["post", "id"]), models.Index(fields=["account", "id"])]


class Save(_Interaction):
    """A private bookmark."""

    class Meta:
        constraints = [models.UniqueConstraint("account", "post", name="save_unique")]
        indexes = [models.Index(fields=["account", "id"])]


class PinnedPost(_Interaction):
    """One of the author's own posts shown first on their profile (at most ``MAX_PINNED``)."""

    class Meta:
        constraints = [models.UniqueConstraint("account", "post", name="pinned_post_unique")]
        indexes = [models.Index(fields=["account", "id"])]


class ConversationMute(SnowflakeModel):
    """``account`` gets no notifications from the thread whose first post is ``root`` (a reply's thread is
    its root's; a root post is its own)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    root = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("account", "root", name="conversation_mute_unique")]
