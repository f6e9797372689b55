"""Redirect URIs: what an application may register, and how the answer is appended to one.

Any absolute URI is accepted — web callbacks (``https://``, or ``http://`` for apps on one's own machine) and
the custom schemes of mobile apps (``ice-cubes://oauth``) — except schemes that run code or carry content
where they land (``javascript:``, ``data:``…). ``urn:ietf:wg:oauth:2.0:oob`` means "show me the code"."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from spool.core.errors import ValidationError

OOB = "urn:ietf:wg:oauth:2.0:oob"
URI_MAX = 2000
URIS_MAX = 10
_REFUSED_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "about", "blob", "filesystem"})
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_CSP_HOST = re.compile(r"[A-Za-z0-9.\-:\[\]]+")


def clean_redirect_uris(raw: str | list[str] | None) -> list[str]:
    """The registered list from a whitespace-separated string or a list; ``ValidationError`` (field
    ``redirect_uris``) for a missing, malformed or refused URI."""
    items = raw.split() if isinstance(raw, str) else [str(item).strip() for item in raw or []]
    uris = list(dict.fromkeys(item for item in items if item))
    if not uris:
        raise _invalid("Redirect URI can't be blank.")
    if len(uris) > URIS_MAX:
        raise _invalid(f"At most {URIS_MAX} redirect URIs may be registered.")
    for uri in uris:
        check_redirect_uri(uri)
    return uris


def check_redirect_uri(uri: str) -> None:
    if uri == OOB:
        return
    if len(uri) > URI_MAX:
        raise _invalid(f"Redirect URI is longer than {URI_MAX} characters.")
    if any(ch.isspace() or ord(ch) < 0x20 or ch in "<>\"'\\" for ch in uri):
        raise _invalid("Redirect URI contains characters that are not allowed.")
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise _invalid("Redirect URI must be an absolute URI.") from None
    scheme = parts.scheme.lower()
    if not scheme or not _SCHEME.fullmatch(scheme) or not (parts.netloc or parts.path):
        raise _invalid("Redirect URI must be an absolute URI.")
    if scheme in _REFUSED_SCHEMES:
        raise _invalid(f"Redirect URI may not use the {scheme}: scheme.")
    if scheme in ("http", "https") and not parts.hostname:
        raise _invalid("Redirect URI must name a host.")
    if parts.fragment or uri.endswith("#"):
        raise _invalid("Redirect URI cannot contain a fragment.")


def with_params(uri: str, params: dict[str, str]) -> str:
    """``uri`` with ``params`` added to its query (keeping a query the app registered)."""
    kept = {k: v for k, v in params.items() if v}
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(kept)}"


def csp_source(uri: str) -> str | None:
    """The Content-Security-Policy source that lets a form post end up at ``uri`` (browsers apply
    ``form-action`` to the redirect that follows the consent form): its origin for web URIs, its scheme for
    custom ones. None when nothing safe can be said."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return f"{scheme}://{parts.netloc}" if _CSP_HOST.fullmatch(parts.netloc) else None
    return f"{scheme}:" if _SCHEME.fullmatch(scheme) and scheme not in _REFUSED_SCHEMES else None


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_redirect_uri", field="redirect_uris")
