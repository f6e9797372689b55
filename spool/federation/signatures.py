"""HTTP Signatures as Mastodon and most of the fediverse use them (draft-cavage-http-signatures-12).

Outgoing requests are signed with the sender's RSA key (``rsa-sha256``) over ``(request-target) host date``
and, for a body, ``digest`` (``SHA-256=`` of the body). Incoming POSTs must be signed over at least those
four; the Digest must match the body, the Date must be within ``SPOOL.federation_signature_max_age_seconds``
of our clock, and the key must verify. When it does not, the actor is fetched once more (they may have
rotated their key) before the request is refused.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from django.conf import settings

from spool.federation import keys

REQUIRED_FOR_POST = ("(request-target)", "host", "date", "digest")
REQUIRED_FOR_GET = ("(request-target)", "host", "date")
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class SignatureError(Exception):
    """The request is not signed as we require; ``code`` says how (``unsigned``, ``bad_digest``, …)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Verified:
    key_id: str
    owner: str  # the actor id the key belongs to (as the key lookup reported it)


# key lookup: (key_id, refresh) -> (public key PEM, owner actor id), or None when unknown
KeyLookup = Callable[[str, bool], "tuple[str, str] | None"]


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(moment: datetime | None = None) -> str:
    return format_datetime(moment or datetime.now(UTC), usegmt=True)


def _signing_string(names: list[str], method: str, path: str, headers: Mapping[str, str]) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        else:
            lines.append(f"{name}: {headers[name]}")
    return "\n".join(lines)


def sign_request(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None, *, key_id: str, private_pem: str
) -> dict[str, str]:
    """The headers to add to a request so it is signed by ``key_id``: ``Date``, ``Digest`` (with a body)
    and ``Signature``. ``headers`` must already hold ``Host`` as it will be sent."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    lower = {k.lower(): v for k, v in headers.items()}
    added = {"Date": http_date()}
    lower["date"] = added["Date"]
    names = ["(request-target)", "host", "date"]
    if body is not None:
        added["Digest"] = digest(body)
        lower["digest"] = added["Digest"]
        names.append("digest")
    text = _signing_string(names, method, path, lower)
    signature = base64.b64encode(keys.sign(private_pem, text.encode())).decode()
    added["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",signature="{signature}"'
    )
    return added


def parse_signature(value: str) -> dict[str, str]:
    return dict(_PARAM.findall(value))


def verify_request(
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes | None,
    lookup: KeyLookup,
    *,
    now: datetime | None = None,
) -> Verified:
    """Check the request's signature (see the module docstring); raise :class:`SignatureError` or return
    which key signed it. ``headers`` are the request's headers with lower-case names; ``path`` includes
    the query string."""
    raw = headers.get("signature")
    if not raw:
        raise SignatureError("This request is not signed.", "unsigned")
    params = parse_signature(raw)
    key_id, signature_b64 = params.get("keyId", ""), params.get("signature", "")
    names = params.get("headers", "date").lower().split()
    if not key_id or not signature_b64:
        raise SignatureError("The Signature header is incomplete.", "bad_signature")
    if params.get("algorithm", "rsa-sha256").lower() not in ("rsa-sha256", "hs2019"):
        raise SignatureError("Only rsa-sha256 signatures are accepted.", "bad_algorithm")
    required = REQUIRED_FOR_POST if body is not None else REQUIRED_FOR_GET
    missing = [name for name in required if name not in names]
    if missing:
        raise SignatureError(f"The signature must cover {', '.join(missing)}.", "weak_signature")
    if any(name != "(request-target)" and name not in headers for name in names):
        raise SignatureError("A signed header is missing from the request.", "bad_signature")
    _check_date(headers["date"], now or datetime.now(UTC))
    if body is not None and not _digest_matches(headers["digest"], body):
        raise SignatureError("The Digest does not match the body.", "bad_digest")
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError as exc:
        raise SignatureError("The signature is not base64.", "bad_signature") from exc
    text = _signing_string(names, method, path, headers).encode()
    for refresh in (False, True):
        found = lookup(key_id, refresh)
        if found is not None and keys.verify(found[0], signature, text):
            return Verified(key_id=key_id, owner=found[1])
    raise SignatureError("The signature does not verify.", "bad_signature")


def _check_date(value: str, now: datetime) -> None:
    try:
        sent = parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise SignatureError("The Date header is not a date.", "bad_date") from exc
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    if abs((now - sent).total_seconds()) > settings.SPOOL.federation_signature_max_age_seconds:
        raise SignatureError("The Date header is too far from now.", "stale_date")


def _digest_matches(header: str, body: bytes) -> bool:
    for item in header.split(","):
        algorithm, _, value = item.strip().partition("=")
        if algorithm.lower() == "sha-256":
            return value == digest(body).split("=", 1)[1]
    return False
