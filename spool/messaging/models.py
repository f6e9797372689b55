"""Direct messages: conversations between people, each person's membership of them, messages and reactions.

A **conversation** is one-to-one (unique per pair of accounts, through ``pair_key``) or a named group of up to
50 members. Each person's **membership** holds what is theirs alone: whether they accepted it (``state``),
their ``role`` in a group, the inbox ``folder`` it sits in, ``muted``, how far they have read, and the window
of messages they may see (``visible_from_id``: when they joined; ``visible_until_id``: when they left or were
removed; ``cleared_before_id``: what they deleted for themselves). Messages are ordered by their snowflake ID,
which is also the cursor of every list and of the WebSocket catch-up.
"""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account
from spool.posts.models import LinkCard, Post

MAX_GROUP_MEMBERS = 50
MAX_TEXT = 10_000
MAX_GROUP_NAME = 100
# The preset reactions (Threads' set).
REACTIONS = ("❤️", "😂", "😮", "😢", "😡", "👍")


class Conversation(SnowflakeModel):
    class Kind(models.TextChoices):
        DIRECT = "direct"
        GROUP = "group"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    name = models.CharField(max_length=MAX_GROUP_NAME, blank=True, default="")
    # "smaller-id:larger-id" for one-to-one conversations (unique); NULL for groups.
    pair_key = models.CharField(max_length=41, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The newest message's ID (0 before any): orders the inbox and tells whom a conversation is unread for.
    last_message_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP


class Membership(SnowflakeModel):
    class State(models.TextChoices):
        ACTIVE = "active"
        REQUEST = "request"  # not accepted yet (a message request)
        SPAM = "spam"  # a request the spam heuristic or a report moved aside
        LEFT = "left"  # left the group, was removed, or declined the request

    class Role(models.TextChoices):
        ADMIN = "admin"
        MEMBER = "member"

    class Folder(models.TextChoices):
        PRIMARY = "primary"
        REQUESTS = "requests"
        HIDDEN = "hidden"
        ARCHIVED = "archived"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="dm_memberships")
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.MEMBER)
    folder = models.CharField(max_length=8, choices=Folder.choices, default=Folder.PRIMARY)
    muted = models.BooleanField(default=False)
    last_read_message_id = models.BigIntegerField(default=0)
    visible_from_id = models.BigIntegerField(default=0)
    visible_until_id = models.BigIntegerField(null=True, blank=True)
    cleared_before_id = models.BigIntegerField(default=0)
    removed_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("conversation", "account", name="dm_membership_unique"),
        ]
        indexes = [models.Index(fields=["account", "folder", "state"])]

    def __str__(self) -> str:
        return f"{self.account_id}@{self.conversation_id}:{self.state}"

    @property
    def can_send(self) -> bool:
        return self.state in (self.State.ACTIVE, self.State.REQUEST, self.State.SPAM)


class MessageQuerySet(models.QuerySet["Message"]):
    def for_cards(self) -> MessageQuerySet:
        """Load what a message card shows in the same query."""
        return self.select_related("sender", "subject", "card", "shared_post__author")


class Message(SnowflakeModel):
    class Kind(models.TextChoices):
        TEXT = "text"
        SYSTEM = "system"

    class Event(models.TextChoices):
        """What a system line says happened (``sender`` did it, to ``subject`` where there is one)."""

        CREATED = "created"
        JOINED = "joined"
        ADDED = "added"
        REMOVED = "removed"
        LEFT = "left"
        RENAMED = "renamed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="dm_messages")
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.TEXT)
    event = models.CharField(max_length=8, choices=Event.choices, blank=True, default="")
    subject = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True, default="")
    image = models.ImageField(upload_to="dm/%Y/%m/", null=True, blank=True)
    image_alt = models.CharField(max_length=1000, blank=True, default="")
    image_width = models.PositiveIntegerField(default=0)
    image_height = models.PositiveIntegerField(default=0)
    card = models.ForeignKey(LinkCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    shared_post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    unsent_at = models.DateTimeField(null=True, blank=True)
    # Removed by moderators: hidden from every member (its content is kept, so an appeal can restore it).
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"message:{self.pk}"

    @property
    def unsent(self) -> bool:
        return self.unsent_at is not None

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


class HiddenMessage(models.Model):
    """A message one person deleted for themselves ("delete for me")."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint("account", "message", name="dm_hidden_unique")]

    def __str__(self) -> str:
        return f"{self.account_id} hid {self.message_id}"


class Reaction(SnowflakeModel):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8, choices=[(e, e) for e in REACTIONS])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("message", "account", name="dm_reaction_unique")]


class Report(SnowflakeModel):
    """A report of a conversation (and optionally some of its messages) as spam or abuse, waiting for a
    moderator. ``messages`` are copied into ``evidence`` as they were when reported, so an unsend or an edit
    afterwards does not erase what was reported."""

    class Reason(models.TextChoices):
        SPAM = "spam"
        ABUSE = "abuse"

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    reporter = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="dm_reports")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reports")
    reported_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="dm_reported"
    )
    reason = models.CharField(max_length=5, choices=Reason.choices)
    comment = models.CharField(max_length=1000, blank=True, default="")
    messages = models.ManyToManyField(Message, blank=True, related_name="reports")
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "id"])]


class ChangeCounter(models.Model):
    """Each person's change counter: the sequence number of the newest :class:`Change` recorded for them.

    Incremented inside the transaction that makes the change (an upsert that locks the row until commit), so
    a person's sequence numbers are gapless and in commit order: once a client has seen number *n*, every
    change numbered up to *n* is committed and every later one gets a higher number."""

    account = models.OneToOneField(Account, primary_key=True, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.account_id}@{self.seq}"


class Change(models.Model):
    """One thing that happened in a conversation, recorded for one person who sees it, numbered in their
    sequence (``seq``): the log a reconnecting client catches up from. Rows hold IDs only; a catch-up renders
    messages as they are now. Old rows are pruned (``services.prune_changes``)."""

    class Kind(models.TextChoices):
        NEW = "new"  # a message (or a system line) arrived
        UPDATED = "updated"  # a message was edited, unsent, or its reactions changed
        READ = "read"  # someone's read position moved (``actor_id`` read up to ``message_id``)
        CHANGED = "changed"  # members, name or request state changed

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Plain IDs, not foreign keys: a change outlives nothing it points to, and reading it skips what is gone.
    conversation_id = models.BigIntegerField()
    message_id = models.BigIntegerField(null=True, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint("account", "seq", name="dm_change_seq_unique")]

    def __str__(self) -> str:
        return f"{self.account_id}#{self.seq}:{self.kind}"
