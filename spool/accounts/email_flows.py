"""Links sent by email: password reset, changing the email address, and confirming it.

Each link carries a signed token; none needs a table:

- **Password reset** uses Django's ``PasswordResetTokenGenerator``: the token hashes the password and the
  last sign-in, so it stops working once used (the password changed) and after
  ``PASSWORD_RESET_TIMEOUT`` (one hour).
- **Email change** signs the old and the new address: once the address changed, the link no longer matches
  (single use); it expires after ``EMAIL_CHANGE_MAX_AGE``.
- **Email confirmation** signs the address being confirmed; a link for an older address does nothing.

The link paths below are the web app's routes (``spool.web.urls`` maps them).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.http import base36_to_int, int_to_base36

from spool.accounts import sessions
from spool.accounts.mail import absolute, send_account_email
from spool.accounts.models import User
from spool.accounts.services import (
    check_new_password,
    clean_email,
    confirm_password,
    email_taken,
)
from spool.core.errors import Conflict, Forbidden, ValidationError
from spool.core.ratelimit import Limit, hit

RESET_PATH = "/password/reset/"
EMAIL_CHANGE_PATH = "/settings/email/confirm/"
CONFIRM_PATH = "/confirm-email/"
EMAIL_CHANGE_MAX_AGE = timedelta(hours=24)
CONFIRM_MAX_AGE = timedelta(days=7)
# Per address asked about and per network address: stops using the form to flood someone's mailbox.
RESET_LIMIT = Limit("password reset requests", 5, timedelta(hours=1))
EMAIL_LIMIT = Limit("confirmation emails", 5, timedelta(hours=1))

_reset_tokens = PasswordResetTokenGenerator()


def _bad_link() -> ValidationError:
    return ValidationError(
        "This link is not valid any more. It may have been used already or be too old; ask for a new one.",
        code="invalid_link",
    )


# --- Password reset -----------------------------------------------------------------------------------


def request_password_reset(email: str, client_address: str | None = None) -> None:
    """Email a reset link to ``email`` when it belongs to an active account; do nothing otherwise. The
    caller answers the same either way, so the form does not tell which addresses have accounts.
    Counts against ``RESET_LIMIT`` per address asked about and per network address."""
    address = (email or "").strip().lower()
    hit(RESET_LIMIT, f"email:{address}")
    if client_address is not None:
        hit(RESET_LIMIT, f"ip:{client_address}")
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    if user is None:
        return
    token = f"{int_to_base36(user.pk)}-{_reset_tokens.make_token(user)}"
    send_account_email(
        user.email,
        "Reset your password",
        "Someone (hopefully you) asked to reset the password of your Spool account.\n\n"
        f"Choose a new password here (the link works once, for one hour):\n{absolute(RESET_PATH + token)}\n\n"
        "If it wasn't you, ignore this email; your password stays as it is.",
    )


def user_for_reset_token(token: str) -> User:
    """The person a reset link is for; ``ValidationError`` (code ``invalid_link``) when the link is
    malformed, used or expired."""
    uid, _, secret = (token or "").partition("-")
    try:
        user = User.objects.get(pk=base36_to_int(uid), is_active=True)
    except (ValueError, User.DoesNotExist):
        raise _bad_link() from None
    if not _reset_tokens.check_token(user, secret):
        raise _bad_link()
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link. Checks the link, then Django's password validators. Ends
    every session of the person and, through the password change, every OAuth token; marks the address as
    confirmed (the person just proved they read its mail)."""
    user = user_for_reset_token(token)
    check_new_password(new_password, email=user.email)
    with transaction.atomic():
        user.set_password(new_password)
        if user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now()
        user.save(update_fields=["password", "email_confirmed_at"])
        sessions.end_all_sessions(user)
    send_account_email(
        user.email, "Your password was changed", "The password of your Spool account was reset."
    )
    return user


# --- Email change ---------------------------------------------------------------------------------------

_CHANGE_SALT = "spool.accounts.email-change"


def request_email_change(user: User, *, password: str, new_email: str) -> str:
    """Send a confirmation link to ``new_email``; the address changes only when it is opened. Needs the
    current password (``Forbidden``); the new address must be valid, different and not taken
    (``ValidationError`` / ``Conflict``, field ``email``). Returns the cleaned new address."""
    confirm_password(user, password)
    address = clean_email(new_email)
    if address == user.email:
        raise ValidationError("That is already your email address.", code="email_unchanged", field="email")
    if email_taken(address):
        raise Conflict(
            "An account with this email address already exists.", code="email_taken", field="email"
        )
    hit(EMAIL_LIMIT, f"user:{user.pk}")
    token = signing.dumps({"u": user.pk, "old": user.email, "new": address}, salt=_CHANGE_SALT)
    send_account_email(
        address,
        "Confirm your new email address",
        "Open this link to make this your Spool account's email address (it works for 24 hours):\n"
        f"{absolute(EMAIL_CHANGE_PATH + token)}\n\nIf you did not ask for this, ignore this email.",
    )
    return address


def confirm_email_change(token: str) -> User:
    """Apply a change of address from its link; notify the old address. ``ValidationError`` (code
    ``invalid_link``) for a bad, expired or already used link; ``Conflict`` when someone took the address
    meanwhile. The new address counts as confirmed."""
    try:
        data = signing.loads(token, salt=_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        raise _bad_link() from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("old")).first()
        if user is None:
            raise _bad_link()
        if email_taken(data["new"]):
            raise Conflict("An account with this email address already exists.", code="email_taken")
        old = user.email
        user.email = data["new"]
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email", "email_confirmed_at"])
    send_account_email(
        old,
        "Your email address was changed",
        f"The email address of your Spool account was changed to {user.email}. If this wasn't you, reset "
        "your password and contact the administrators.",
    )
    return user


# --- Confirming the address -------------------------------------------------------------------------------

_CONFIRM_SALT = "spool.accounts.confirm-email"


def send_confirmation_email(user: User) -> None:
    """Email ``user`` a link confirming their address (at sign-up, and again when they ask). Counts against
    ``EMAIL_LIMIT``."""
    hit(EMAIL_LIMIT, f"user:{user.pk}")
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=_CONFIRM_SALT)
    send_account_email(
        user.email,
        "Confirm your email address",
        f"Welcome to Spool! Open this link to confirm your email address:\n{absolute(CONFIRM_PATH + token)}",
    )


def confirm_email(token: str) -> User:
    """Mark the address in the link as confirmed; ``ValidationError`` (``invalid_link``) when the link is
    bad, older than ``CONFIRM_MAX_AGE`` or for an address the person no longer has."""
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise _bad_link() from None
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise _bad_link()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


def require_confirmed_email(user_id: int | None) -> None:
    """``Forbidden`` (code ``email_unconfirmed``) when the server requires confirmed addresses
    (``SPOOL_REQUIRE_EMAIL_CONFIRMATION``) and the person has not confirmed theirs. Remote accounts (no
    user) pass. Writes that reach other people — posting, following, messaging — call this; with the setting
    off it costs nothing, with it on one query."""
    if user_id is None or not settings.SPOOL.require_email_confirmation:
        return
    if User.objects.filter(pk=user_id, email_confirmed_at__isnull=True).exists():
        raise Forbidden(
            "Confirm your email address first: open the link we sent you (Settings → Account can send it "
            "again).",
            code="email_unconfirmed",
        )
