"""Which Following timelines are kept, and the SQL store's rows.

``Timeline`` is the registry for both stores: a row means the person's timeline is maintained (fan-out writes
to it); ``active_at`` is when they last read it. Timelines not read for ``timeline_inactive_days`` are
dropped by a periodic job and rebuilt on the next read.

``TimelineEntry`` is the SQL store (:mod:`spool.timelines.stores.sql`): one compact row per entry, keyed by
(owner, sort key). The sort key is the post's ID, or the repost's ID for a repost entry.
"""

from __future__ import annotations

from django.db import models

from spool.identities.models import Account


class Timeline(models.Model):
    owner = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="timeline")
    active_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"timeline:{self.owner_id}"


class TimelineEntry(models.Model):
    pk = models.CompositePrimaryKey("owner_id", "sort_id")
    owner_id = models.BigIntegerField()
    sort_id = models.BigIntegerField()
    post_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.owner_id}:{self.sort_id}:{self.post_id}"
