"""Credentials and private settings of a person who signs in. The public face is ``identities.Account``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models

from spool.core.models import SnowflakeModel


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class DirectMessagePolicy(models.TextChoices):
    """Who may start a conversation with a person (direct messages)."""

    EVERYONE = "everyone", "Everyone"
    FOLLOWING = "following", "People I follow"
    NOBODY = "nobody", "No one"


class User(SnowflakeModel, AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-cased.")
    is_staff = models.BooleanField(
        default=False, help_text="Can use the admin site (and set verified badges)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    dm_policy = models.CharField(
        max_length=10,
        choices=DirectMessagePolicy.choices,
        default=DirectMessagePolicy.EVERYONE,
        help_text="Who may start a conversation; people not followed arrive as requests.",
    )
    is_minor = models.BooleanField(
        default=False, help_text="Under 18: receives no message requests from people it does not follow."
    )
    birth_date = models.DateField(
        null=True, blank=True, help_text="Given at sign-up or in settings (never shown); sets is_minor."
    )
    email_confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person opened the confirmation link sent to their current address.",
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.email


class TotpDevice(models.Model):
    """The authenticator app of a person with two-factor authentication (RFC 6238, 30-second steps).

    The shared secret is stored encrypted with a key derived from ``SECRET_KEY`` (a copied database alone
    does not give the codes). Until ``confirmed_at`` is set the device is only being enrolled and sign-in
    does not ask for it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=200, help_text="Fernet-encrypted base32 secret.")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(
        default=0, help_text="The time step of the last accepted code: a code is accepted once (no replays)."
    )

    def __str__(self) -> str:
        return f"authenticator of user {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use code that stands in for the authenticator app; only its SHA-256 is kept (the codes are
    random with 50 bits of entropy, so a slow hash adds nothing)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"


class SessionRecord(models.Model):
    """What Settings → Sessions lists about one signed-in browser: the device, the address and when it was
    last seen. The session itself lives in Django's session store under the same key."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="session_records")
    user_agent = models.CharField(max_length=300, blank=True, default="")
    ip_address = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="session_record_user_seen")]

    def __str__(self) -> str:
        return f"session of user {self.user_id} ({self.user_agent[:40]})"


class InviteCode(models.Model):
    """A code that lets people sign up while the server is invite-only (``SPOOL_INVITE_ONLY``)."""

    code = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="invites")
    max_uses = models.PositiveIntegerField(default=1)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code
