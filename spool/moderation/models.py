"""Moderation: who moderates (``Role``), what people report (``Report``), what moderators do about it
(``Action``), what the person affected says back (``Appeal``), and the append-only ``AuditEntry`` log.

Reports and audit entries never hold a foreign key to the reported thing: a report names its target by type
and ID and carries a **snapshot** of it taken when it was filed, so deleting the post, the message or the
account later loses nothing a moderator needs. Accounts they point to (reporter, the person responsible) are
``SET_NULL`` keys, with the handle kept in the snapshot.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account

MAX_COMMENT = 1000
MAX_NOTE = 1000


class RoleName(models.TextChoices):
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Admin"


class Role(models.Model):
    """A person's moderation role (superusers count as admins without a row)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="moderation_role"
    )
    role = models.CharField(max_length=10, choices=RoleName.choices)
    granted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class TargetType(models.TextChoices):
    POST = "post", "Post"
    ACCOUNT = "account", "Account"
    MESSAGE = "message", "Message"
    CONVERSATION = "conversation", "Conversation"
    TOPIC = "topic", "Topic"


# What the audit log records changes to: report targets, and the rollout flags admins change.
AUDIT_FLAG = "flag"
AUDIT_TARGETS = [*TargetType.choices, (AUDIT_FLAG, "Rollout flag")]


class Reason(models.TextChoices):
    SPAM = "spam", "Spam"
    ABUSE = "abuse", "Abuse or harassment"
    HATE = "hate", "Hate speech"
    VIOLENCE = "violence", "Violence or threats"
    SELF_HARM = "self_harm", "Self-harm or suicide"
    NUDITY = "nudity", "Nudity or sexual content"
    MISINFORMATION = "misinformation", "False information"
    ILLEGAL = "illegal", "Illegal content"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ActionKind(models.TextChoices):
    REMOVE = "remove", "Remove content"
    SENSITIVE = "sensitive", "Mark sensitive"
    LIMIT = "limit", "Limit reach"
    SUSPEND = "suspend", "Suspend account"


class Report(SnowflakeModel):
    """One person's (or the spam score's, ``reporter`` null and ``system`` set) report of one target. At
    most one open report per reporter and target: reporting again while it is open changes nothing."""

    reporter = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_reports"
    )
    system = models.BooleanField(default=False, help_text="Filed by the spam score, not a person.")
    target_type = models.CharField(max_length=12, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    # The person responsible for the target (a post's author, the account itself, a message's sender).
    target_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_against"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    comment = models.CharField(max_length=MAX_COMMENT, blank=True, default="")
    snapshot = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.ForeignKey(
        "Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "reporter",
                "target_type",
                "target_id",
                condition=models.Q(status="open"),
                name="moderation_report_open_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "target_type", "target_id"]),
            models.Index(fields=["target_type", "target_id", "id"]),
            models.Index(fields=["target_account", "id"]),
        ]

    def __str__(self) -> str:
        return f"report:{self.pk} {self.target_type}:{self.target_id}"


class Action(SnowflakeModel):
    """A moderator's decision against a target, with a note to the person affected. ``undo`` holds what the
    action changed, so reversing it (on appeal) restores exactly that."""

    kind = models.CharField(max_length=10, choices=ActionKind.choices)
    target_type = models.CharField(max_length=12, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_actions"
    )
    moderator = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=MAX_NOTE, blank=True, default="")
    snapshot = models.JSONField(default=dict, blank=True)
    undo = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "id"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"action:{self.pk} {self.kind} {self.target_type}:{self.target_id}"

    @property
    def reversed(self) -> bool:
        return self.reversed_at is not None


class AppealStatus(models.TextChoices):
    OPEN = "open", "Waiting for a moderator"
    UPHELD = "upheld", "Upheld"
    REVERSED = "reversed", "Reversed"


class Appeal(SnowflakeModel):
    """The affected person's one appeal against one action."""

    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="appeal")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=MAX_COMMENT)
    status = models.CharField(max_length=8, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(max_length=MAX_NOTE, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "id"])]


class AppendOnly(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise TypeError("The audit log is append-only.")


class AuditEntry(SnowflakeModel):
    """Who did what, when, to which target, with which note. Append-only (``save`` of an existing row,
    ``delete`` and queryset ``update``/``delete`` raise) and free of foreign keys, so deleting an account or
    a post never rewrites history: names are copied in as they were."""

    actor_id = models.BigIntegerField(null=True, blank=True, help_text="Account ID; null for the system.")
    actor_label = models.CharField(max_length=100)
    verb = models.CharField(max_length=32)
    target_type = models.CharField(max_length=12, choices=AUDIT_TARGETS)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=200, blank=True, default="")
    note = models.CharField(max_length=2000, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnly.as_manager()

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "id"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("The audit log is append-only.")


class TextFingerprint(models.Model):
    """A hash of a new post's normalised text, for the duplicate-text spam signal (pruned after a day)."""

    digest = models.CharField(max_length=32)
    account_id = models.BigIntegerField()
    post_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["digest", "created_at"])]

    def __str__(self) -> str:
        return f"{self.digest}:{self.post_id}"
