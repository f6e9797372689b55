"""A topic's week of use, as Mastodon's ``Tag.history`` shows it: uses and distinct accounts per UTC day over
the last week from public posts (what a logged-out visitor could see), in one grouped query over the week's
topic posts of the wanted topics, found through the time-ordered primary key.

The trending refresh stores the history of the topics it picks in the snapshot (:func:`history_rows`), so
``/api/v1/trends/tags`` reads it back without a query; tag pages and search compute theirs here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from spool.core.snowflake import id_at
from spool.posts.models import Post

HISTORY_DAYS = 7


@dataclass(frozen=True)
class DayUse:
    day: date
    uses: int
    accounts: int

    @property
    def timestamp(self) -> int:
        """UNIX time of the day's midnight (UTC), as Mastodon's ``Tag.history`` gives it."""
        return int(datetime.combine(self.day, time(), tzinfo=UTC).timestamp())


def _days(today: date) -> list[date]:
    return [today - timedelta(days=n) for n in range(HISTORY_DAYS)]


def topic_history(topic_ids: list[int] | None = None) -> dict[int, list[DayUse]]:
    """Uses and distinct accounts per UTC day over the last ``HISTORY_DAYS`` days (today first, missing days
    zero) for ``topic_ids`` (every topic used this week when ``None``); posts and topics moderators limited
    the reach of do not count. One query."""
    today = _today()
    start = datetime.combine(today - timedelta(days=HISTORY_DAYS - 1), time(), tzinfo=UTC)
    rows = (
        Post.objects.visible_to(None)
        .full_reach()
        .filter(
            id__gte=id_at(start), created_at__gte=start, topic_id__isnull=False, topic__reach_limited=False
        )
    )
    if topic_ids is not None:
        rows = rows.filter(topic_id__in=topic_ids)
    counts = (
        rows.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("topic_id", "day")
        .annotate(uses=Count("id"), accounts=Count("author_id", distinct=True))
        .order_by()
    )
    by_topic: dict[int, dict[date, tuple[int, int]]] = defaultdict(dict)
    for row in counts:
        by_topic[row["topic_id"]][row["day"]] = (row["uses"], row["accounts"])
    wanted = topic_ids if topic_ids is not None else list(by_topic)
    return {
        tid: [DayUse(day, *by_topic.get(tid, {}).get(day, (0, 0))) for day in _days(today)] for tid in wanted
    }


def _today() -> date:
    return timezone.now().astimezone(UTC).date()


def history_rows(history: dict[int, list[DayUse]]) -> dict[str, list[list[Any]]]:
    """``history`` as the snapshot stores it (JSON: topic ID as text -> ``[ISO day, uses, accounts]``)."""
    return {
        str(tid): [[d.day.isoformat(), d.uses, d.accounts] for d in days] for tid, days in history.items()
    }


def from_rows(rows: list[list[Any]]) -> list[DayUse] | None:
    """A stored history back as ``DayUse`` (today first), or ``None`` when it was stored on another day."""
    days = [DayUse(date.fromisoformat(day), uses, accounts) for day, uses, accounts in rows]
    if not days or days[0].day != _today():
        return None
    return days
