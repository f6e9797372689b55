"""The store contract, the same for the SQL table and Redis: newest first, cursors, out-of-order and
repeated writes, held and not held timelines, removal, the cap."""

from __future__ import annotations

from typing import Any

import pytest

from spool.timelines.stores import Entry, TimelineStore, entries_of

pytestmark = pytest.mark.django_db

OWNER = 1001


def entries(*sort_ids: int) -> list[Entry]:
    return [Entry(s, s * 10) for s in sort_ids]


def test_reads_newest_first_below_the_cursor(store: TimelineStore) -> None:
    store.add(OWNER, entries(5, 1, 3), create=True)
    for s in (7, 6, 9, 8):  # fan-out out of order
        store.fan_out([OWNER], Entry(s, s * 10))
    assert store.read(OWNER, None, 100) == entries(9, 8, 7, 6, 5, 3, 1)
    assert store.read(OWNER, None, 3) == entries(9, 8, 7)
    assert store.read(OWNER, 7, 3) == entries(6, 5, 3)
    assert store.read(OWNER, 2, 10) == entries(1)
    assert store.read(OWNER, 1, 10) == []


def test_writing_an_entry_twice_keeps_one(store: TimelineStore) -> None:
    store.add(OWNER, entries(1, 2), create=True)
    store.fan_out([OWNER], Entry(3, 30))
    store.fan_out([OWNER], Entry(3, 30))
    store.add(OWNER, entries(2, 3))
    assert store.read(OWNER, None, 10) == entries(3, 2, 1)


def test_fan_out_writes_every_owner_of_the_chunk(store: TimelineStore) -> None:
    owners = list(range(2000, 2050))
    for owner in owners:
        store.add(owner, [], create=True)
    assert store.fan_out(owners, Entry(42, 420)) == len(owners)
    assert all(store.read(owner, None, 5) == [Entry(42, 420)] for owner in owners)


def test_a_held_timeline_may_be_empty(store: TimelineStore) -> None:
    store.add(OWNER, [], create=True)
    assert store.read(OWNER, None, 10) == []


def test_remove_and_drop(store: TimelineStore) -> None:
    store.add(OWNER, entries(1, 2, 3), create=True)
    store.fan_out([OWNER], Entry(4, 40))
    store.remove(OWNER, [2, 4])
    assert store.read(OWNER, None, 10) == entries(3, 1)
    store.drop([OWNER])
    assert not store.read(OWNER, None, 10)


def test_timelines_are_capped_keeping_the_newest(store: TimelineStore, monkeypatch: Any) -> None:
    from django.conf import settings

    monkeypatch.setattr(settings.SPOOL, "timeline_cap", 50)
    store.add(OWNER, entries(*range(1, 41)), create=True)
    for s in range(41, 201):
        store.fan_out([OWNER], Entry(s, s * 10))
    store.add(OWNER, entries(*range(201, 231)))
    store.trim()
    held = store.read(OWNER, None, 1000) or []
    # Redis merges new entries into the capped body in batches: up to one batch more shows until then.
    slack = getattr(store, "slack", 0)
    assert 50 <= len(held) <= 50 + slack
    assert held == entries(*range(230, 230 - len(held), -1))
    # A rebuild's entries are capped as well.
    store.drop([OWNER])
    store.add(OWNER, entries(*range(1, 301)), create=True)
    store.trim()
    assert store.read(OWNER, None, 1000) == entries(*range(300, 250, -1))


def test_a_run_of_fan_outs_longer_than_the_cap_keeps_the_newest(
    store: TimelineStore, monkeypatch: Any
) -> None:
    from django.conf import settings

    monkeypatch.setattr(settings.SPOOL, "timeline_cap", 10)
    store.add(OWNER, [], create=True)
    for s in range(1, 101):  # in order, as fan-out usually writes: whole batches beyond the cap at a time
        store.fan_out([OWNER], Entry(s, s * 10))
    store.trim()
    held = store.read(OWNER, None, 1000) or []
    assert 10 <= len(held) <= 10 + store.slack
    assert held == entries(*range(100, 100 - len(held), -1))


def test_fan_out_skips_timelines_redis_does_not_hold(store: TimelineStore) -> None:
    if store.name != "redis":
        pytest.skip("the SQL store's registry is the Timeline table, checked by fan-out's caller")
    store.add(OWNER, [], create=True)
    assert store.fan_out([OWNER, OWNER + 1], Entry(5, 50)) == 1
    assert store.read(OWNER, None, 10) == [Entry(5, 50)]
    assert store.read(OWNER + 1, None, 10) is None
    client = store.client  # type: ignore[attr-defined]
    assert not client.exists(f"{store.prefix}{OWNER + 1}:n")  # type: ignore[attr-defined]


def test_entries_are_read_as_entries(store: TimelineStore) -> None:
    """The Redis store builds its entries without Entry's own ``__new__`` (``entries_of``), from the body
    and from the tail not merged yet: they must still be Entry values, not bare tuples."""
    store.add(OWNER, entries(1, 2), create=True)
    store.fan_out([OWNER], Entry(3, 30))
    found = store.read(OWNER, None, 10)
    assert found is not None
    assert [type(e) for e in found] == [Entry, Entry, Entry]
    assert [(e.sort_id, e.post_id) for e in found] == [(3, 30), (2, 20), (1, 10)]


def test_entries_of_builds_entries_from_pairs() -> None:
    built = entries_of([(5, 50), (4, 7)])
    assert built == [Entry(5, 50), Entry(4, 7)]
    assert all(type(e) is Entry for e in built)
    assert built[1].post_id == 7
    assert entries_of(iter([])) == []
