"""The timeline store: per person, the newest post IDs of their Following feed, capped at
``timeline_cap`` entries.

Two stores keep the same contract: :class:`~spool.timelines.stores.sql.SqlStore` (a compact table in the
site's database; the embedded default) and :class:`~spool.timelines.stores.redis_store.RedisStore` (packed
records in Redis; chosen when ``REDIS_URL`` is set). Entries are ``(sort_id, post_id)``: the sort key is
the post's ID, or the repost's ID when the entry is a repost. A store holds IDs only and knows nothing of
visibility; :mod:`spool.timelines.home` decides what a page shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from functools import partial
from typing import Any, NamedTuple, Protocol

from django.conf import settings

from spool.core.backends import Swappable


class Entry(NamedTuple):
    sort_id: int
    post_id: int


# tuple.__new__ bound to Entry: an Entry from a (sort ID, post ID) pair without the Python-level __new__
# that NamedTuple writes (a call and a frame per entry; a warm page builds about a hundred).
_new_entry = partial(tuple.__new__, Entry)


def entries_of(pairs: Iterable[tuple[int, int]]) -> list[Entry]:
    """``[Entry(*pair) for pair in pairs]``, each pair a 2-tuple of ints, built without a Python call per
    entry."""
    return list(map(_new_entry, pairs))


class TimelineStore(Protocol):
    name: str
    slack: int
    # Whether the store talks over its own connection (not the database's), so that its writes may run on
    # another thread while the caller reads from the database.
    own_connection: bool

    def fan_out(self, owners: Sequence[int], entry: Entry) -> int:
        """Put ``entry`` into each of ``owners``' timelines in one statement or round trip (the caller
        chunks). Timelines the store does not hold are left alone (Redis); returns how many were written."""

    def add(self, owner: int, entries: Sequence[Entry], *, create: bool = False) -> None:
        """Merge ``entries`` into one timeline, keeping the newest ``cap``: a follow's backfill (only into
        a held timeline), or with ``create`` a rebuild (which also makes the store hold it). Entries written
        meanwhile by fan-out are kept, so a rebuild racing a fan-out loses nothing."""

    def read(self, owner: int, before: int | None, count: int) -> list[Entry] | None:
        """Up to ``count`` entries with ``sort_id < before`` (all when ``before`` is None), newest first;
        ``None`` when the store does not hold this timeline (it must be rebuilt)."""

    def remove(self, owner: int, sort_ids: Sequence[int]) -> None:
        """Drop the entries with these sort keys (lazy clean-up of entries that can never show again)."""

    def drop(self, owners: Sequence[int]) -> None:
        """Forget these timelines entirely."""

    def trim(self) -> int:
        """Cut every timeline back to ``cap`` entries; returns how many entries went. Stores that trim as
        they write return 0."""


def _configured() -> TimelineStore:
    if settings.SPOOL.redis_url:
        from spool.timelines.stores.redis_store import RedisStore

        return RedisStore()
    from spool.timelines.stores.sql import SqlStore

    return SqlStore()


STORE: Swappable[TimelineStore] = Swappable(_configured)


def get_store() -> TimelineStore:
    """The store in use: Redis when ``REDIS_URL`` is set, the SQL table otherwise."""
    return STORE.get()


def prefetch(owner: int) -> Any:
    """A read of ``owner``'s timeline to send along another round trip to the site's Redis (a
    :class:`~spool.timelines.stores.redis_store.Prefetched`, for :func:`spool.timelines.home.home_rows`), or
    None when the store in use does not live there."""
    make = getattr(get_store(), "prefetch", None)
    return make(owner) if make is not None else None


def use_store(store: TimelineStore) -> AbstractContextManager[TimelineStore]:
    """Use ``store`` instead of the configured one inside the block (tests run every rule on both)."""
    return STORE.use(store)


def cap() -> int:
    return int(settings.SPOOL.timeline_cap)
