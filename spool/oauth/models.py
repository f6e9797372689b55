"""Registered client applications, short-lived authorization codes and access tokens.

Secrets (client secrets, codes, access and refresh tokens) are stored only as SHA-256 digests: a leaked
database does not hand out working credentials."""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel
from spool.identities.models import Account


class Application(SnowflakeModel):
    name = models.CharField(max_length=200)
    website = models.URLField(max_length=2000, blank=True, default="")
    redirect_uris = models.TextField(
        help_text="One URI per line; urn:ietf:wg:oauth:2.0:oob for copy-paste codes."
    )
    scopes = models.CharField(max_length=1000, default="read")
    client_id = models.CharField(max_length=64, unique=True)
    client_secret_digest = models.CharField(max_length=64)
    owner = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def redirect_uri_list(self) -> list[str]:
        return [line.strip() for line in self.redirect_uris.splitlines() if line.strip()]


class Grant(SnowflakeModel):
    """An authorization code waiting to be exchanged for a token (once, within minutes)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    code_digest = models.CharField(max_length=64, unique=True)
    redirect_uri = models.CharField(max_length=2000)
    scopes = models.CharField(max_length=1000)
    code_challenge = models.CharField(max_length=128, blank=True, default="")
    code_challenge_method = models.CharField(max_length=10, blank=True, default="")
    expires_at = models.DateTimeField()
    # Kept after the exchange so that a replayed code is recognised (and the tokens it gave are revoked).
    used_at = models.DateTimeField(null=True, blank=True)


class Token(SnowflakeModel):
    """An access token. ``account`` is empty for client-credentials tokens (the app acting as itself)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tokens")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens"
    )
    # The authorization this token descends from (through refreshes too): revoking a replayed code or a
    # reused refresh token revokes the whole family.
    grant = models.ForeignKey(Grant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    refresh_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    scopes = models.CharField(max_length=1000)
    # A fingerprint of the person's password hash when the token was issued: changing the password (by any
    # path) makes every earlier token stop working, as Django does for sessions.
    password_stamp = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-id"])]

    def __str__(self) -> str:
        return f"token {self.pk} of {self.application_id}"
