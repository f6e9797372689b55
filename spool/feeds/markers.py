"""Read positions (Mastodon: markers): where a person stopped reading their home feed and notifications,
saved by one app and read by another. Saving the notifications position also marks the notifications up
to it read, so the web app's Activity badge agrees with the person's other apps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from spool.core.errors import ValidationError
from spool.feeds.models import Marker
from spool.identities.models import Account
from spool.notifications.services import mark_read_through

TIMELINES = tuple(Marker.Timeline.values)


def get_markers(account: Account, timelines: Iterable[str]) -> dict[str, Marker]:
    """The account's markers for ``timelines``; unknown names are ignored and none asked gives none, as
    Mastodon does."""
    wanted = [t for t in timelines if t in TIMELINES]
    return {m.timeline: m for m in Marker.objects.filter(account=account, timeline__in=wanted)}


def _position(timeline: str, value: Any) -> int:
    try:
        position = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            f"{timeline}.last_read_id must be an ID", field=f"{timeline}.last_read_id"
        ) from None
    if position <= 0:
        raise ValidationError(f"{timeline}.last_read_id must be an ID", field=f"{timeline}.last_read_id")
    return position


def save_markers(account: Account, positions: Mapping[str, Any]) -> dict[str, Marker]:
    """Set ``{timeline: last_read_id}`` for the given timelines (each save bumps ``version``); return the
    markers saved. Unknown timelines are refused, and nothing is saved when any value is bad."""
    unknown = sorted(set(positions) - set(TIMELINES))
    if unknown:
        raise ValidationError(f"Unknown timeline: {', '.join(unknown)}", field="timeline")
    if not positions:
        raise ValidationError("Give home[last_read_id] or notifications[last_read_id]", field="timeline")
    cleaned = {timeline: _position(timeline, value) for timeline, value in positions.items()}
    with transaction.atomic():
        for timeline, position in cleaned.items():
            updated = Marker.objects.filter(account=account, timeline=timeline).update(
                last_read_id=position, version=F("version") + 1, updated_at=timezone.now()
            )
            if not updated:
                try:
                    with transaction.atomic():
                        Marker.objects.create(account=account, timeline=timeline, last_read_id=position)
                except IntegrityError:  # saved by a concurrent request meanwhile
                    Marker.objects.filter(account=account, timeline=timeline).update(
                        last_read_id=position, version=F("version") + 1, updated_at=timezone.now()
                    )
            if timeline == Marker.Timeline.NOTIFICATIONS:
                mark_read_through(account, position)
    return get_markers(account, list(cleaned))
