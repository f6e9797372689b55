"""``/api/v1/instance`` and ``/api/v2/instance``: what this server is and the limits clients must respect,
taken from Spool's own rules (so a client's counter and Spool's validation agree), plus peers, activity and
rules. Public, no token needed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from spool.identities import validation as profile_rules
from spool.identities.models import Account
from spool.media.images import MAX_PIXELS
from spool.posts.models import Post
from spool.posts.services import MAX_PINNED
from spool.posts.services import validation as post_rules
from spool.posts.services.compose import POLL_DURATION

router = Router(tags=["instance"])

SPOOL_VERSION = "0.1.0"
# Clients read the Mastodon version to decide what to offer; Spool speaks Mastodon 4.5's API (version 7).
VERSION = f"4.5.0 (compatible; Spool {SPOOL_VERSION})"
API_VERSION = 7
TITLE = "Spool"
DESCRIPTION = "A self-hosted place for short public conversations."
SOURCE_URL = "https://github.com/spool-social/spool"
IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]
# Mastodon clients count every link as this many characters; Spool counts links in full, so a post of long
# links can pass a client's counter and still be refused (with a 422 saying why).
CHARACTERS_PER_URL = 23


def _streaming_url() -> str:
    return f"{'wss' if settings.SPOOL.https else 'ws'}://{settings.SPOOL.domain}"


def _statuses() -> dict[str, Any]:
    return {
        "max_characters": post_rules.MAX_TEXT,
        "max_media_attachments": post_rules.MAX_MEDIA,
        "characters_reserved_per_url": CHARACTERS_PER_URL,
    }


def _media() -> dict[str, Any]:
    return {
        "supported_mime_types": IMAGE_TYPES,
        "description_limit": post_rules.MAX_ALT,
        "image_size_limit": settings.SPOOL.media_max_upload_bytes,
        "image_matrix_limit": MAX_PIXELS,
        # No video or audio in Spool.
        "video_size_limit": 0,
        "video_frame_rate_limit": 0,
        "video_matrix_limit": 0,
    }


def _polls() -> dict[str, Any]:
    seconds = int(POLL_DURATION.total_seconds())
    return {
        "max_options": post_rules.MAX_POLL_OPTIONS,
        "max_characters_per_option": post_rules.MAX_POLL_OPTION,
        # Polls are open exactly 24 hours.
        "min_expiration": seconds,
        "max_expiration": seconds,
    }


def _accounts() -> dict[str, Any]:
    return {
        "max_featured_tags": 0,
        "max_pinned_statuses": MAX_PINNED,
        "max_display_name_length": profile_rules.DISPLAY_NAME_MAX,
        "max_note_length": profile_rules.BIO_MAX,
        "max_profile_fields": profile_rules.LINKS_MAX,
        "profile_field_name_limit": profile_rules.LINK_TITLE_MAX,
        "profile_field_value_limit": profile_rules.LINK_URL_MAX,
    }


def _thumbnail() -> str:
    return f"{settings.SPOOL.public_url}/static/web/favicon.svg"


def _users() -> int:
    return Account.objects.local().active().count()


@router.get("/v2/instance", auth=None)
def instance_v2(request: HttpRequest) -> dict[str, Any]:
    base = settings.SPOOL.public_url
    active = (
        Account.objects.local().active().filter(posts__created_at__gte=timezone.now() - timedelta(days=30))
    )
    return {
        "domain": settings.SPOOL.domain,
        "title": TITLE,
        "version": VERSION,
        "source_url": SOURCE_URL,
        "description": DESCRIPTION,
        "usage": {"users": {"active_month": active.distinct().count()}},
        "thumbnail": {"url": _thumbnail(), "blurhash": None, "versions": {}},
        "icon": [],
        "languages": ["en"],
        "configuration": {
            "urls": {
                "streaming": _streaming_url(),
                "status": None,
                "about": f"{base}/",
                "privacy_policy": None,
                "terms_of_service": None,
            },
            "vapid": {"public_key": ""},
            "accounts": _accounts(),
            "statuses": _statuses(),
            "media_attachments": _media(),
            "polls": _polls(),
            "translation": {"enabled": False},
            "limited_federation": False,
        },
        "registrations": {
            "enabled": True,
            "approval_required": False,
            "reason_required": False,
            "message": None,
            "min_age": None,
            "url": f"{base}/signup",
        },
        "api_versions": {"mastodon": API_VERSION},
        "contact": {"email": "", "account": None},
        "rules": [],
        "spool": {"version": SPOOL_VERSION},
    }


@router.get("/v1/instance", auth=None)
def instance_v1(request: HttpRequest) -> dict[str, Any]:
    return {
        "uri": settings.SPOOL.domain,
        "title": TITLE,
        "short_description": DESCRIPTION,
        "description": DESCRIPTION,
        "email": "",
        "version": VERSION,
        "urls": {"streaming_api": _streaming_url()},
        "stats": {"user_count": _users(), "status_count": Post.objects.count(), "domain_count": 0},
        "thumbnail": _thumbnail(),
        "languages": ["en"],
        "registrations": True,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": {
            "accounts": _accounts(),
            "statuses": _statuses(),
            "media_attachments": _media(),
            "polls": _polls(),
        },
        "contact_account": None,
        "rules": [],
    }


@router.get("/v1/instance/peers", auth=None)
def peers(request: HttpRequest) -> list[str]:
    """Servers this one federates with: none yet."""
    return []


@router.get("/v1/instance/rules", auth=None)
def rules(request: HttpRequest) -> list[dict[str, Any]]:
    return []


@router.get("/v1/instance/activity", auth=None)
def activity(request: HttpRequest) -> list[dict[str, str]]:
    """Posts and sign-ups per week for the last twelve weeks, newest first (``logins`` counts accounts
    that posted that week: Spool does not record sign-ins)."""
    since = timezone.now() - timedelta(weeks=12)
    weekly = list(
        Post.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("id"), people=Count("author_id", distinct=True))
    )
    posts = {row["week"]: row["n"] for row in weekly}
    people = {row["week"]: row["people"] for row in weekly}
    signups = dict(
        Account.objects.local()
        .filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    start = timezone.now() - timedelta(days=timezone.now().weekday())
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = []
    for i in range(12):
        week = start - timedelta(weeks=i)
        weeks.append(
            {
                "week": str(int(week.timestamp())),
                "statuses": str(_at(posts, week)),
                "logins": str(_at(people, week)),
                "registrations": str(_at(signups, week)),
            }
        )
    return weeks


def _at(counts: dict[Any, int], week: Any) -> int:
    return next((n for key, n in counts.items() if key is not None and key.date() == week.date()), 0)
