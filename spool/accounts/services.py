"""Credentials: email and password rules, creating a ``User``, checking a password.

The public profile is created alongside by :func:`spool.identities.services.register_account`, which is what
sign-up calls; these functions are its building blocks and are also used to confirm a password before a
destructive action.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from spool.accounts.models import User
from spool.core.errors import Conflict, Forbidden, ValidationError

EMAIL_MAX = 254
MIN_AGE = 13  # the youngest a person may be to have an account (as on Threads)
ADULT_AGE = 18
OLDEST = 130
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


def age_on(birth_date: date, today: date) -> int:
    """Completed years between ``birth_date`` and ``today`` (a person born on 29 February turns a year
    older on 1 March in other years)."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def check_birth_date(value: Any, today: date | None = None) -> date:
    """A date of birth (a ``date`` or ``YYYY-MM-DD``) of someone at least 13 years old; ``ValidationError``
    (field ``birth_date``) otherwise."""
    today = today or timezone.localdate()
    if isinstance(value, date):
        born = value
    else:
        try:
            born = date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationError(
                "Enter your date of birth as YYYY-MM-DD.", code="invalid", field="birth_date"
            ) from None
    if born > today or age_on(born, today) > OLDEST:
        raise ValidationError("Enter your real date of birth.", code="invalid", field="birth_date")
    if age_on(born, today) < MIN_AGE:
        raise ValidationError(
            f"You must be at least {MIN_AGE} years old to use Spool.", code="too_young", field="birth_date"
        )
    return born


def is_under_18(user: User, today: date | None = None) -> bool:
    """Whether the person is a minor: from their date of birth when they gave one (so they come of age on
    their birthday), else the stored flag."""
    if user.birth_date is None:
        return user.is_minor
    return age_on(user.birth_date, today or timezone.localdate()) < ADULT_AGE
