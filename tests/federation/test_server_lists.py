"""The stored blocked and allowed servers read from a per-process snapshot: changes here apply at once,
changes from another process once the snapshot is checked again, and a transaction that changed a list
reads the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from spool.federation import server_lists
from spool.federation.models import DomainBlock
from spool.federation.policy import block_domain, is_blocked_domain

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def test_a_block_applies_at_once_in_the_process_that_adds_or_lifts_it() -> None:
    assert not is_blocked_domain("bad.example")  # a snapshot is taken
    block_domain("bad.example")
    assert is_blocked_domain("bad.example") and is_blocked_domain("sub.bad.example:8443")
    DomainBlock.objects.filter(domain="bad.example").delete()
    assert not is_blocked_domain("bad.example")


def test_a_fresh_snapshot_is_read_without_queries() -> None:
    block_domain("bad.example")
    assert is_blocked_domain("bad.example")
    with CaptureQueriesContext(connection) as queries:
        assert is_blocked_domain("bad.example") and not is_blocked_domain("good.example")
    assert len(queries) == 0


def test_a_block_from_another_process_applies_when_the_snapshot_is_checked_again(monkeypatch: Any) -> None:
    assert not is_blocked_domain("far.example")
    # Another process's write: no signal reaches this one; its commit moves the shared version.
    DomainBlock.objects.bulk_create([DomainBlock(domain="far.example")])
    assert not is_blocked_domain("far.example")  # the snapshot is still fresh
    monkeypatch.setattr(server_lists, "CHECK_EVERY", 0.0)
    if server_lists._shared():
        assert not is_blocked_domain("far.example")  # the version has not moved: the snapshot is kept
        cache.set(server_lists.VERSION_KEY, "moved by another process", timeout=None)
    assert is_blocked_domain("far.example")


def test_reads_inside_a_transaction_see_its_own_changes_and_keep_nothing_that_rolls_back() -> None:
    assert not is_blocked_domain("bad.example")
    with pytest.raises(Rollback), transaction.atomic():
        block_domain("bad.example")
        assert is_blocked_domain("bad.example")
        raise Rollback
    assert not is_blocked_domain("bad.example")


def test_a_transaction_that_changed_no_list_reads_the_snapshot() -> None:
    block_domain("bad.example")
    assert is_blocked_domain("bad.example")
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            assert is_blocked_domain("bad.example") and not is_blocked_domain("good.example")
        assert len(queries) == 0
        DomainBlock.objects.filter(domain="bad.example").delete()  # from here on, its own changes count
        with CaptureQueriesContext(connection) as queries:
            assert not is_blocked_domain("bad.example")
        assert len(queries) == 1
    assert not is_blocked_domain("bad.example")
