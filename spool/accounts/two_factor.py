"""Two-factor authentication: enrolling an authenticator app, recovery codes, checking the second step of
sign-in, and turning it off.

Enrolment is two steps: :func:`begin_enrolment` makes a secret (shown as a QR code), and
:func:`confirm_enrolment` turns two-factor on only once the person proves their app produces the right code.
Every code check counts against ``CODE_LIMIT`` per person, so the million possible codes cannot be guessed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from spool.accounts import totp
from spool.accounts.models import RecoveryCode, TotpDevice, User
from spool.accounts.services import confirm_password
from spool.core.errors import Conflict, Forbidden, ValidationError
from spool.core.ratelimit import Limit, hit

ISSUER = "Spool"
RECOVERY_CODES = 10
# Five wrong codes in fifteen minutes per person (sign-in, confirming and disabling all count).
CODE_LIMIT = Limit("two-factor codes", 5, timedelta(minutes=15))


def _fernet() -> Fernet:
    key = hashlib.sha256(f"spool.two-factor:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def device_secret(device: TotpDevice) -> str:
    """The device's base32 secret. ``Forbidden`` when it cannot be decrypted (``SECRET_KEY`` changed)."""
    try:
        return _fernet().decrypt(device.secret.encode()).decode()
    except InvalidToken:
        raise Forbidden(
            "Two-factor authentication cannot be checked; ask an administrator.", code="two_factor_broken"
        ) from None


def is_enabled(user: User) -> bool:
    """Whether signing in as ``user`` asks for a second step. One query."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def begin_enrolment(user: User) -> tuple[str, str]:
    """Start (or restart) enrolling an authenticator app: a new secret replaces any unconfirmed one.
    Returns the secret (to type in by hand) and the ``otpauth://`` URI (for the QR code). ``Conflict`` when
    two-factor is already on (turn it off first)."""
    if is_enabled(user):
        raise Conflict("Two-factor authentication is already on.", code="two_factor_enabled")
    secret = totp.new_secret()
    TotpDevice.objects.update_or_create(user=user, defaults={"secret": _seal(secret), "last_step": 0})
    return secret, totp.provisioning_uri(secret, account_name=user.email, issuer=ISSUER)


def pending_secret(user: User) -> str | None:
    """The secret of an enrolment begun and not yet confirmed, or ``None``."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    return device_secret(device) if device is not None else None


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor on once ``code`` is right for the enrolling secret, and return fresh recovery codes
    (shown once). ``ValidationError`` (field ``code``) for a wrong code; counts against ``CODE_LIMIT``."""
    hit(CODE_LIMIT, f"user:{user.pk}")
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if device is None:
            raise ValidationError("Start setting up two-factor authentication first.", code="no_enrolment")
        step = totp.matching_step(device_secret(device), code)
        if step is None:
            raise _wrong_code()
        device.confirmed_at = timezone.now()
        device.last_step = step
        device.save(update_fields=["confirmed_at", "last_step"])
        return _replace_recovery_codes(user)


def _wrong_code() -> ValidationError:
    return ValidationError("That code is not right. Try the newest one.", code="wrong_code", field="code")


def _hash_code(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _replace_recovery_codes(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(5)[:5]}-{secrets.token_hex(5)[:5]}" for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes)
    return codes


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    """New recovery codes replacing all earlier ones (password required); ``Conflict`` when two-factor is
    off."""
    confirm_password(user, password)
    if not is_enabled(user):
        raise Conflict("Two-factor authentication is off.", code="two_factor_disabled")
    with transaction.atomic():
        return _replace_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def verify_second_factor(user: User, code: str) -> bool:
    """Whether ``code`` is the current authenticator code or an unused recovery code of ``user``; an
    accepted authenticator code cannot be used again, and a recovery code is spent. Counts against
    ``CODE_LIMIT`` (``RateLimited`` past it, before any check)."""
    hit(CODE_LIMIT, f"user:{user.pk}")
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return False
        step = totp.matching_step(device_secret(device), code, after=device.last_step)
        if step is not None:
            device.last_step = step
            device.save(update_fields=["last_step"])
            return True
        spent = RecoveryCode.objects.filter(
            user=user, code_hash=_hash_code(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        return spent == 1


def disable_two_factor(user: User, *, password: str, code: str) -> None:
    """Turn two-factor off: needs the password and a current code (or a recovery code). Removes the device
    and the recovery codes. ``Forbidden`` for a wrong password, ``ValidationError`` for a wrong code."""
    confirm_password(user, password)
    if not is_enabled(user):
        raise Conflict("Two-factor authentication is off.", code="two_factor_disabled")
    if not verify_second_factor(user, code):
        raise _wrong_code()
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline ``<svg>`` element (no ``style`` attributes, so it passes the
    pages' Content-Security-Policy)."""
    import segno

    svg: str = segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")
    return svg
