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

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.email
