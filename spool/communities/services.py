"""The write path of communities: create one (staff), join, leave, pick a flair, and revoke a leader badge.

Each function validates everything before writing, writes in one transaction, and keeps
``Community.members_count`` exact with ``F()`` updates. Refusals raise ``SpoolError``s and write nothing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from spool.communities.models import Community, Membership
from spool.core.errors import Conflict, Forbidden, NotFound, ValidationError
from spool.core.ratelimit import Limit, hit
from spool.identities.models import Account
from spool.posts.services.topics import topic_for
from spool.posts.services.validation import check_topic

ALLOWED_LIKE_EMOJI = ("❤️", "🔥", "👍", "😂", "🎉", "👏", "🙌", "⭐", "💯", "🚀", "🧵", "🌱")
MAX_NAME = 60
MAX_DESCRIPTION = 300
MAX_FLAIRS = 10
MAX_FLAIR = 24
MAX_JOINED = 100
JOIN_LIMIT = Limit("community_joins", 60, timedelta(hours=1))
CREATE_LIMIT = Limit("community_creations", 20, timedelta(hours=1))
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
_VARIATION = "\ufe0f"


# --- Checks ---------------------------------------------------------------------------------------------


def _text(value: Any, field: str, *, limit: int, required: bool) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"The {field} must be text.", code=f"invalid_{field}", field=field)
    value = " ".join(value.split())
    if required and not value:
        raise ValidationError(f"The {field} is required.", code=f"{field}_required", field=field)
    if len(value) > limit:
        raise ValidationError(
            f"The {field} can be at most {limit} characters long.", code=f"{field}_too_long", field=field
        )
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(
            f"The {field} contains control characters.", code=f"invalid_{field}", field=field
        )
    return value


def is_allowed_like_emoji(value: Any) -> bool:
    """One of the preset emoji, or a single emoji character (a symbol, optionally with U+FE0F)."""
    if not isinstance(value, str) or not value:
        return False
    if value in ALLOWED_LIKE_EMOJI:
        return True
    base = value[:-1] if value.endswith(_VARIATION) else value
    return len(base) == 1 and unicodedata.category(base) == "So"


def check_like_emoji(value: Any) -> str:
    if value in (None, ""):
        return ALLOWED_LIKE_EMOJI[0]
    if not is_allowed_like_emoji(value):
        raise ValidationError(
            "Pick one of the offered emoji or a single emoji character.",
            code="invalid_emoji",
            field="like_emoji",
        )
    return str(value)


def check_flair_options(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_FLAIRS:
        raise ValidationError(
            f"Flair options are a list of at most {MAX_FLAIRS}.", code="invalid_flairs", field="flair_options"
        )
    options: list[str] = []
    for item in value:
        flair = _text(item, "flair", limit=MAX_FLAIR, required=True)
        if flair.casefold() in {o.casefold() for o in options}:
            raise ValidationError(
                f"“{flair}” is listed twice.", code="duplicate_flair", field="flair_options"
            )
        options.append(flair)
    return options


def check_slug(value: Any, name: str) -> str:
    slug = slugify(name)[:50].strip("-") if value in (None, "") else value
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise ValidationError(
            "The address may use lowercase letters, digits and hyphens (1 to 50).",
            code="invalid_slug",
            field="slug",
        )
    return slug


def _community(slug: Any) -> Community:
    if not isinstance(slug, str) or not slug:
        raise NotFound("No such community.")
    found = Community.objects.filter(slug=slug).first()
    if found is None:
        raise NotFound("No such community.")
    return found


def can_create_community(account: Account) -> bool:
    """Whether ``account`` may start communities: active moderators (staff)."""
    user = getattr(account, "user", None)
    return bool(account.is_active and user is not None and user.is_staff)


def _active(account: Account) -> None:
    if not account.is_active:
        raise Forbidden("This profile is deactivated.", code="deactivated")


# --- Writes ---------------------------------------------------------------------------------------------


def create_community(
    creator: Account,
    *,
    topic: Any,
    name: Any,
    slug: Any = "",
    description: Any = "",
    like_emoji: Any = "",
    flair_options: Any = None,
) -> Community:
    """A community for ``topic`` (staff only; one per topic; the topic is created if new). Checks the name
    (1-60), description (≤300), address slug, like emoji (preset or one emoji) and flair options (≤10 of
    1-24 characters, no duplicates). The creator joins it. Rate-limited (``CREATE_LIMIT``)."""
    _active(creator)
    if not can_create_community(creator):
        raise Forbidden("Only moderators can start a community.", code="not_moderator")
    display = check_topic(topic, "")
    if not display:
        raise ValidationError("A community needs a topic.", code="topic_required", field="topic")
    clean_name = _text(name, "name", limit=MAX_NAME, required=True)
    clean_slug = check_slug(slug, clean_name)
    values = {
        "name": clean_name,
        "slug": clean_slug,
        "description": _text(description, "description", limit=MAX_DESCRIPTION, required=False),
        "like_emoji": check_like_emoji(like_emoji),
        "flair_options": check_flair_options(flair_options),
    }
    hit(CREATE_LIMIT, creator.id)
    try:
        with transaction.atomic():
            topic_obj = topic_for(display)
            assert topic_obj is not None  # a non-empty display always makes a topic
            if Community.objects.filter(topic=topic_obj).exists():
                raise Conflict("That topic already has a community.", code="community_exists", field="topic")
            community = Community.objects.create(topic=topic_obj, created_by=creator, **values)
            Membership.objects.create(community=community, account=creator)
            Community.objects.filter(pk=community.pk).update(members_count=F("members_count") + 1)
    except IntegrityError:
        raise Conflict("That address is taken.", code="slug_taken", field="slug") from None
    community.refresh_from_db()
    return community


def join_community(account: Account, slug: Any) -> Membership:
    """Join (idempotent: a member gets their membership back). At most ``MAX_JOINED`` communities each;
    rate-limited."""
    _active(account)
    community = _community(slug)
    existing = Membership.objects.filter(community=community, account=account).first()
    if existing is not None:
        return existing
    if Membership.objects.filter(account=account).count() >= MAX_JOINED:
        raise ValidationError(
            f"You can be in at most {MAX_JOINED} communities.", code="too_many_communities", field="slug"
        )
    hit(JOIN_LIMIT, account.id)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(community=community, account=account)
        if created:
            Community.objects.filter(pk=community.pk).update(members_count=F("members_count") + 1)
    return membership


def leave_community(account: Account, slug: Any) -> bool:
    """Leave (idempotent); flair and any leader badge go with the membership. Returns whether one existed."""
    community = _community(slug)
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(community=community, account=account).delete()
        if deleted:
            Community.objects.filter(pk=community.pk, members_count__gt=0).update(
                members_count=F("members_count") - 1
            )
    return bool(deleted)


def set_flair(account: Account, slug: Any, flair: Any) -> Membership:
    """Pick one of the community's flair options ("" clears it). Members only."""
    _active(account)
    community = _community(slug)
    membership = Membership.objects.filter(community=community, account=account).first()
    if membership is None:
        raise Forbidden("Join the community to pick a flair.", code="not_member")
    if flair in (None, ""):
        choice = ""
    elif isinstance(flair, str) and flair in community.flair_options:
        choice = flair
    else:
        raise ValidationError("Pick one of the community's flairs.", code="invalid_flair", field="flair")
    Membership.objects.filter(pk=membership.pk).update(flair=choice)
    membership.flair = choice
    return membership


def revoke_leader(account_id: int, *, community_id: int | None = None, reason: str = "moderation") -> int:
    """Take the leader badge from ``account_id`` in one community, or in all of them when ``community_id`` is
    ``None`` (what moderation calls on a suspension or a removal). With ``reason="moderation"`` every
    membership in scope is marked, badge or not, so the leader job does not award it for ``LEADER_DAYS``
    days. Returns how many badges went."""
    rows = Membership.objects.filter(account_id=account_id)
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    with transaction.atomic():
        leaders = rows.filter(leader_since__isnull=False).count()
        scope = rows if reason == "moderation" else rows.filter(leader_since__isnull=False)
        scope.update(leader_since=None, leader_revoked_at=timezone.now(), leader_revoked_reason=reason[:20])
    return leaders
