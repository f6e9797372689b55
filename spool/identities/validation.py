"""Rules for what a profile may hold. Each ``clean_*`` returns the normalised value or raises a
``ValidationError`` naming the field, so services and forms share one set of rules and messages."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator

from spool.core.errors import ValidationError

HANDLE_MAX = 30
DISPLAY_NAME_MAX = 50
BIO_MAX = 150
LINKS_MAX = 5
LINK_URL_MAX = 2000
LINK_TITLE_MAX = 50

# ASCII letters, digits, underscore and dot: Threads (Instagram) handles. ASCII only, so that case-insensitive
# uniqueness (a constraint on ``Lower(handle)``) means the same thing in every database.
HANDLE_RE = re.compile(r"[A-Za-z0-9_.]{1,30}")

# Words our own URLs use (``/login``, ``/api/…``, ``/@handle`` vs ``/accounts/me`` …) and names people would
# mistake for the site speaking. Compared case-insensitively.
RESERVED_HANDLES = frozenset(
    {
        "about", "abuse", "activity", "admin", "administrator", "api", "compose", "explore", "feed",
        "feeds", "followers", "following", "healthz", "help", "home", "inbox", "liked", "login", "logout",
        "me", "media", "moderator", "new", "nodeinfo", "notifications", "oauth", "outbox", "post", "posts",
        "privacy", "relationships", "root", "saved", "search", "security", "settings", "signin", "signup",
        "spool", "static", "support", "system", "terms", "topic", "topics", "well-known", "well_known", "www",
    }
)  # fmt: skip

_url_validator = URLValidator(schemes=["http", "https"])
# "scheme:" at the start of what someone typed, other than a host followed by a port ("example.com:8080").
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:(?!\d)", re.IGNORECASE)


def clean_handle(handle: Any) -> str:
    """A handle as typed, minus a leading ``@``: 1 to 30 letters, digits, ``_`` and ``.``, not reserved.
    Uniqueness is checked by the service (it needs the database)."""
    value = handle.strip().removeprefix("@") if isinstance(handle, str) else ""
    if not value:
        raise ValidationError("Choose a handle.", code="handle_missing", field="handle")
    if len(value) > HANDLE_MAX:
        raise ValidationError(
            f"A handle can be at most {HANDLE_MAX} characters.", code="handle_too_long", field="handle"
        )
    if not HANDLE_RE.fullmatch(value):
        raise ValidationError(
            "A handle can only use letters, numbers, underscores (_) and periods (.).",
            code="handle_invalid",
            field="handle",
        )
    if value.lower() in RESERVED_HANDLES or set(value) == {"."}:
        raise ValidationError("This handle isn't available.", code="handle_reserved", field="handle")
    return value


def _strip_controls(value: str, *, keep_newlines: bool) -> str:
    kept = []
    for ch in value:
        if ch == "\n" and keep_newlines:
            kept.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            kept.append(" " if ch in "\t\n\r\v\f" else "")
        else:
            kept.append(ch)
    return "".join(kept)


def clean_display_name(name: Any) -> str:
    """One line of at most 50 characters (whitespace runs collapse to one space)."""
    if not isinstance(name, str):
        raise ValidationError("The name must be text.", code="invalid", field="display_name")
    value = " ".join(_strip_controls(name, keep_newlines=False).split())
    if len(value) > DISPLAY_NAME_MAX:
        raise ValidationError(
            f"The name can be at most {DISPLAY_NAME_MAX} characters.", code="display_name_too_long",
            field="display_name",
        )  # fmt: skip
    return value


def clean_bio(bio: Any) -> str:
    """At most 150 characters after trimming; line breaks are kept (as ``\\n``)."""
    if not isinstance(bio, str):
        raise ValidationError("The bio must be text.", code="invalid", field="bio")
    value = _strip_controls(bio.replace("\r\n", "\n").replace("\r", "\n"), keep_newlines=True).strip()
    if len(value) > BIO_MAX:
        raise ValidationError(
            f"The bio can be at most {BIO_MAX} characters (this one has {len(value)}).",
            code="bio_too_long",
            field="bio",
        )
    return value


def clean_link_url(url: Any, *, field: str = "url") -> str:
    """An absolute http(s) URL, normalised: ``https://`` added when no scheme was typed, scheme and host
    lower-cased, default ports dropped. Other schemes (``javascript:``, ``data:`` …) and URLs carrying a
    user name or password are refused."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationError("Enter a link.", code="link_missing", field=field)
    value = url.strip()
    if "://" not in value:
        if _OTHER_SCHEME.match(value):
            raise _bad_url(field)
        value = f"https://{value}"
    if len(value) > LINK_URL_MAX:
        raise ValidationError(
            f"A link can be at most {LINK_URL_MAX} characters.", code="link_too_long", field=field
        )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _bad_url(field) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _bad_url(field)
    if parts.username is not None or parts.password is not None:
        raise _bad_url(field)
    try:
        _url_validator(value)
    except DjangoValidationError:
        raise _bad_url(field) from None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    normalised = urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))
    if len(normalised) > LINK_URL_MAX:
        raise ValidationError(
            f"A link can be at most {LINK_URL_MAX} characters.", code="link_too_long", field=field
        )
    return normalised


def _bad_url(field: str) -> ValidationError:
    return ValidationError(
        "Enter a valid web address starting with http:// or https://.", code="link_invalid", field=field
    )


def clean_links(links: Any) -> list[dict[str, str]]:
    """Up to 5 links, each ``{"url", "title"}`` (a bare string is a URL without a title); no URL twice."""
    if not isinstance(links, list | tuple):
        raise ValidationError("Links must be a list.", code="invalid", field="links")
    if len(links) > LINKS_MAX:
        raise ValidationError(
            f"A profile can have at most {LINKS_MAX} links.", code="too_many_links", field="links"
        )
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(links):
        raw_url: Any
        raw_title: Any
        if isinstance(item, str):
            raw_url, raw_title = item, ""
        elif isinstance(item, dict):
            raw_url, raw_title = item.get("url"), item.get("title") or ""
        else:
            raise ValidationError("Each link needs a url.", code="invalid", field=f"links.{index}")
        url = clean_link_url(raw_url, field=f"links.{index}.url")
        if not isinstance(raw_title, str):
            raise ValidationError("A link title must be text.", code="invalid", field=f"links.{index}.title")
        title = " ".join(_strip_controls(raw_title, keep_newlines=False).split())
        if len(title) > LINK_TITLE_MAX:
            raise ValidationError(
                f"A link title can be at most {LINK_TITLE_MAX} characters.",
                code="link_title_too_long",
                field=f"links.{index}.title",
            )
        if url in seen:
            raise ValidationError(
                "This link is listed twice.", code="duplicate_link", field=f"links.{index}.url"
            )
        seen.add(url)
        cleaned.append({"url": url, "title": title})
    return cleaned
