"""Small pieces every Mastodon entity uses: timestamps, absolute URLs, HTML with absolute links."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings

# Spool has no header images and draws initials for a missing avatar; Mastodon clients need an image URL.
MISSING_AVATAR = "/static/web/avatar-missing.png"
MISSING_HEADER = "/static/web/header-missing.png"


def iso(moment: datetime | None) -> str | None:
    """Mastodon's timestamp form: UTC, milliseconds, ``Z`` (``2019-12-08T03:48:33.901Z``)."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def absolute(path: str) -> str:
    """``path`` (``/media/...``) as a URL on this server; URLs that are already absolute stay as they are."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SPOOL.public_url}{path}"


def absolute_links(html: str) -> str:
    """Rendered Spool HTML links profiles and topics by path (``href="/@ana"``); Mastodon clients match
    mentions by absolute URL and open links outside the server, so every local link becomes absolute."""
    return html.replace('href="/', f'href="{settings.SPOOL.public_url}/')


def paragraph(html: str) -> str:
    return f"<p>{html}</p>" if html else ""
