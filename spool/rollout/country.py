"""The visitor's country, read in one place from the header a trusted proxy or CDN sets
(``SPOOL_COUNTRY_HEADER``, e.g. ``CF-IPCountry``). Without that setting every country is unknown: a header
a visitor could set themselves must never decide regional availability."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest

_CODE = re.compile(r"[A-Z]{2}")
# Placeholders CDNs send for "unknown" (Cloudflare: XX unknown, T1 Tor).
_UNKNOWN = frozenset({"XX", "T1", "ZZ"})


def request_country(request: HttpRequest) -> str | None:
    """The ISO 3166 alpha-2 code of the request's country, upper case; ``None`` when the header is not
    configured, missing, or not a country code. Memoised on the request."""
    if hasattr(request, "_spool_country"):
        return request._spool_country
    header = settings.SPOOL.country_header
    value = request.headers.get(header, "").strip().upper() if header else ""
    country = value if _CODE.fullmatch(value) and value not in _UNKNOWN else None
    request._spool_country = country  # type: ignore[attr-defined]
    return country


def clean_country(value: str) -> str | None:
    """An admin-typed country code in canonical form, ``None`` if it is not one."""
    code = value.strip().upper()
    return code if _CODE.fullmatch(code) else None
