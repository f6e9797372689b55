"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): what authenticator apps compute.

Pure functions, no storage: :mod:`spool.accounts.two_factor` keeps the secret and the last accepted step.
SHA-1, 6 digits and 30-second steps are what every authenticator app defaults to, so they are fixed here.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# Codes one step either side of now are accepted too: phone clocks drift and people type slowly.
DRIFT_STEPS = 1


def new_secret() -> str:
    """A random 160-bit secret, base32 without padding (how apps expect to read it)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code_at(secret: str, step: int) -> str:
    """The code for time step ``step`` (HOTP with the step as counter; dynamic truncation, RFC 4226 §5.3)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), "sha1").digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, *, after: int = 0, now: float | None = None) -> int | None:
    """The time step (within the drift window around now) whose code is ``code`` and which is later than
    ``after`` — the step of the last accepted code, so a code cannot be used twice; ``None`` otherwise.
    Compares in constant time."""
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    step = current_step(now)
    found = None
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if candidate > after and hmac.compare_digest(code_at(secret, candidate), code):
            found = candidate
    return found


def provisioning_uri(secret: str, *, account_name: str, issuer: str) -> str:
    """The ``otpauth://`` URI a QR code carries (Google Authenticator's key URI format)."""
    label = quote(f"{issuer}:{account_name}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer})
