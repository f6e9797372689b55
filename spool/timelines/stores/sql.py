"""The SQL timeline store: one row per entry in ``timelines_timelineentry`` (primary key (owner, sort_id),
plus the post ID; no other index). A fan-out chunk is one ``INSERT … SELECT`` over an array of owner IDs
(``unnest`` on PostgreSQL, ``json_each`` on SQLite), so its cost per row is the database's, not Django's.

Writes do not trim (counting per owner on every insert would cost more than the rows): ``trim`` runs from
the periodic job and cuts every timeline back to ``cap``; reads only ever look at the newest entries, so
rows past the cap are only space until then. Rebuilds and backfills trim their one timeline at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from spool.timelines.models import TimelineEntry
from spool.timelines.stores import Entry, cap

TABLE = TimelineEntry._meta.db_table


def _trim_sql(where: str) -> str:
    """Delete the entries ranked past the cap (``%s``) in each timeline (``where``: which owners)."""
    # The table name is ours; values are bound parameters.
    return (
        f"DELETE FROM {TABLE} WHERE (owner_id, sort_id) IN ("  # noqa: S608
        " SELECT owner_id, sort_id FROM ("
        "  SELECT owner_id, sort_id, ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY sort_id DESC) AS n"
        f"  FROM {TABLE} {where}"
        " ) ranked WHERE n > %s)"
    )


class SqlStore:
    name = "sql"
    # Entries a read may return beyond the cap: none after ``trim``.
    slack = 0
    own_connection = False

    def fan_out(self, owners: Sequence[int], entry: Entry) -> int:
        if not owners:
            return 0
        if connection.vendor == "postgresql":
            source = "SELECT owner, %s, %s FROM unnest(%s::bigint[]) AS owner"
            owner_ids: object = list(owners)
        else:
            source = "SELECT value, %s, %s FROM json_each(%s)"
            owner_ids = json.dumps(list(owners))
        # ``WHERE true``: SQLite cannot otherwise tell the upsert clause from a join constraint.
        sql = f"INSERT INTO {TABLE} (owner_id, sort_id, post_id) {source} WHERE true ON CONFLICT DO NOTHING"
        params: list[Any] = [entry.sort_id, entry.post_id, owner_ids]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return len(owners)

    def add(self, owner: int, entries: Sequence[Entry], *, create: bool = False) -> None:
        # The registry (``Timeline``) says which timelines are held; rows alone need no creating.
        if not entries:
            return
        newest = sorted(set(entries), reverse=True)[: cap()]
        TimelineEntry.objects.bulk_create(
            [TimelineEntry(owner_id=owner, sort_id=e.sort_id, post_id=e.post_id) for e in newest],
            ignore_conflicts=True,
        )
        self._trim_owner(owner)

    def read(self, owner: int, before: int | None, count: int) -> list[Entry]:
        # Plain SQL: this is every home page's first query (the ORM's compilation cost more than the read).
        below = "AND sort_id < %s " if before is not None else ""
        sql = (
            f"SELECT sort_id, post_id FROM {TABLE} WHERE owner_id = %s {below}ORDER BY sort_id DESC LIMIT %s"  # noqa: S608
        )
        params = [owner, *([before] if before is not None else []), count]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Entry(int(s), int(p)) for s, p in cursor.fetchall()]

    def remove(self, owner: int, sort_ids: Sequence[int]) -> None:
        if sort_ids:
            TimelineEntry.objects.filter(owner_id=owner, sort_id__in=list(sort_ids)).delete()

    def drop(self, owners: Sequence[int]) -> None:
        if owners:
            TimelineEntry.objects.filter(owner_id__in=list(owners)).delete()

    def trim(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(_trim_sql(""), [cap()])
            return int(cursor.rowcount)

    def _trim_owner(self, owner: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(_trim_sql("WHERE owner_id = %s"), [owner, cap()])
