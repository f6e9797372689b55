"""Credentials: email and password rules, creating a ``User``, checking a password.

The public profile is created alongside by :func:`spool.identities.services.register_account`, which is what
sign-up calls; these functions are its building blocks and are also used to confirm a password before a
destructive action.
"""

from __future__ import annotations

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from spool.accounts.models import User
from spool.core.errors import Conflict, Forbidden, ValidationError

EMAIL_MAX = 254
# Argon2 hashes any length, but hashing megabytes on every sign-in attempt is a cheap denial of service.
PASSWORD_MAX = 1024


def clean_email(email: str) -> str:
    """The email address trimmed and lower-cased (addresses are unique case-insensitively); raises
    ``ValidationError`` (field ``email``) when it is not an address."""
    value = (email or "").strip().lower()
    if not value:
        raise ValidationError("Enter your email address.", code="email_missing", field="email")
    if len(value) > EMAIL_MAX:
        raise ValidationError(f"The email address is longer than {EMAIL_MAX} characters.", field="email")
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValidationError("Enter a valid email address.", code="email_invalid", field="email") from None
    return value


def check_new_password(password: str, *, email: str = "") -> None:
    """Run Django's configured password validators (length, common, numeric, similarity to the email)."""
    if not password:
        raise ValidationError("Choose a password.", code="password_missing", field="password")
    if len(password) > PASSWORD_MAX:
        raise ValidationError(
            f"The password is longer than {PASSWORD_MAX} characters.",
            code="password_invalid",
            field="password",
        )
    try:
        password_validation.validate_password(password, user=User(email=email))
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), code="password_invalid", field="password") from None


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def create_user(*, email: str, password: str) -> User:
    """Create a ``User`` from an already cleaned email and checked password; ``Conflict`` when the email is
    taken (also when a concurrent sign-up wins the race — the unique constraint decides)."""
    if email_taken(email):
        raise _email_conflict()
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password)
    except IntegrityError:
        raise _email_conflict() from None


def _email_conflict() -> Conflict:
    return Conflict("An account with this email address already exists.", code="email_taken", field="email")


def authenticate_user(email: str, password: str) -> User | None:
    """The user whose email and password these are, or ``None``. Runs the password hasher even for unknown
    emails (Django's backend does), so timing does not tell which addresses have accounts."""
    if not email or not password or len(password) > PASSWORD_MAX:
        return None
    user = authenticate(email=email.strip().lower(), password=password)
    return user if isinstance(user, User) else None


def confirm_password(user: User, password: str) -> None:
    """Raise ``Forbidden`` (field ``password``) unless ``password`` is ``user``'s current password."""
    if not password or len(password) > PASSWORD_MAX or not user.check_password(password):
        raise Forbidden("The password is not correct.", code="wrong_password", field="password")
