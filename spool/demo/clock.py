"""A clock the demo can set to the past, so history is made by the real services at the time it claims.

Demo data needs weeks of history, but every row's time comes from "now": ``created_at`` fields from
``django.utils.timezone.now`` and IDs from :func:`spool.core.snowflake.next_id` (their leading bits are the
time). Rather than rewrite rows afterwards, the seeder sets this clock to each moment of its script, in
order, and calls the services; they stamp rows, compute poll and ghost expiries and check rate-limit windows
exactly as they would have then. IDs stay consistent with ``created_at``, so timelines and time cursors
agree.

Only the seeding process uses it, for the duration of a ``with`` block. The snowflake generator's
"never go backwards" memory is set aside for that block and restored afterwards (the simulated moments all lie
in the past, so IDs made after the block are still greater than every ID made before it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

from spool.core import snowflake


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def set(self, moment: datetime) -> None:
        """Move to ``moment``; never backwards (IDs must keep increasing with time)."""
        if moment > self.moment:
            self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def now_ms(self) -> int:
        return int(self.moment.timestamp() * 1000)


@contextmanager
def simulated_time(start: datetime) -> Iterator[SimulatedClock]:
    clock = SimulatedClock(start)
    real_now, real_now_ms = timezone.now, snowflake._now_ms
    remembered = snowflake._last_ms
    timezone.now = clock.now
    snowflake._now_ms = clock.now_ms
    snowflake._last_ms = 0
    try:
        yield clock
    finally:
        timezone.now = real_now
        snowflake._now_ms = real_now_ms
        snowflake._last_ms = max(remembered, real_now_ms())
