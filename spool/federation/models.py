"""What federation keeps beside the domain's rows: keys, where remote actors and objects live, the inbox
as received, outgoing deliveries, per-server health, blocked domains and who opted in.

Remote accounts and posts themselves are ordinary ``Account``/``Post`` rows (``Account.domain`` set); the
rows here key onto them one-to-one, so the domain apps never learn federation exists.
"""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account
from spool.posts.models import Post


class LocalKey(models.Model):
    """The RSA key pair a local account signs with, made the first time it is needed."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="+")
    private_key_pem = models.TextField()
    public_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key:{self.account_id}"


class FederationOptIn(models.Model):
    """A local profile that chose to federate (off unless this row says otherwise)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="+")
    enabled = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.account_id}:{'on' if self.enabled else 'off'}"


class RemoteActor(models.Model):
    """Where a remote account lives and how it signs."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="+")
    uri = models.CharField(max_length=2000, unique=True)
    inbox = models.CharField(max_length=2000)
    shared_inbox = models.CharField(max_length=2000, blank=True, default="")
    followers_url = models.CharField(max_length=2000, blank=True, default="")
    url = models.CharField(max_length=2000, blank=True, default="", help_text="Profile page for people.")
    key_id = models.CharField(max_length=2000, db_index=True)
    public_key_pem = models.TextField()
    software = models.CharField(max_length=100, blank=True, default="")
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.uri


class RemotePost(models.Model):
    """The ActivityPub id of a post that came from another server, and what Spool could not hold of it."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="+")
    uri = models.CharField(max_length=2000, unique=True)
    url = models.CharField(max_length=2000, blank=True, default="")
    # Remote attachments as received: [{"url", "media_type", "alt"}] (fetched lazily, never hot-linked).
    attachments = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.uri


class InboxItem(SnowflakeModel):
    """An activity as a remote server delivered it, stored before it is processed (the inbox answers 202
    once this row exists). ``activity_id`` makes a second delivery of the same activity a no-op."""

    class State(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        IGNORED = "ignored"
        FAILED = "failed"

    activity_id = models.CharField(max_length=2000, unique=True)
    activity_type = models.CharField(max_length=40)
    actor_uri = models.CharField(max_length=2000)
    body = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "id"])]


class Delivery(SnowflakeModel):
    """One activity to one inbox. Unique per (activity, inbox), so enqueuing twice sends once; retried
    with exponential backoff until ``delivered`` or given up (``failed``)."""

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    activity_id = models.CharField(max_length=2000)
    object_uri = models.CharField(max_length=2000, blank=True, default="", db_index=True)
    # Null once the sender's account is deleted: its farewell ``Delete(Person)`` is then signed with the
    # :class:`DepartedKey` named by ``key_id``; any other delivery left without a sender is given up.
    sender = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    key_id = models.CharField(max_length=2000, blank=True, default="")
    inbox = models.CharField(max_length=2000)
    domain = models.CharField(max_length=253, db_index=True)
    body = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("activity_id", "inbox", name="delivery_once_per_inbox")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]


class Server(models.Model):
    """Health of one remote server as our deliveries see it."""

    domain = models.CharField(max_length=253, primary_key=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")

    def __str__(self) -> str:
        return self.domain


class DomainBlock(SnowflakeModel):
    """A server we refuse: its requests are answered 403 before their body is read, nothing is sent to it."""

    domain = models.CharField(max_length=253, unique=True)
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)


class SiteKey(models.Model):
    """The key pair of the instance actor (``/ap/actor``), which signs fetches made for the site."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    private_key_pem = models.TextField()
    public_key_pem = models.TextField()

    def __str__(self) -> str:
        return "site key"


class AllowedServer(SnowflakeModel):
    """A server that may federate while the site runs in allowlist mode (``SPOOL.federation_allowlist_mode``):
    then every server not listed here or in ``SPOOL.federation_allowed_domains`` is refused as if blocked."""

    domain = models.CharField(max_length=253, unique=True)
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)


class DepartedKey(models.Model):
    """The signing key of a deleted local account, kept only while its ``Delete(Person)`` is being delivered
    (the account's ``LocalKey`` goes with the account); removed when none of those deliveries is pending."""

    key_id = models.CharField(max_length=2000, unique=True)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key_id
