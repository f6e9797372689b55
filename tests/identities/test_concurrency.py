"""Counters stay exact and nothing deadlocks when people follow each other at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from spool.identities.models import Account, Follow
from spool.identities.services import (
    block_account,
    follow_account,
    register_account,
    unblock_account,
    unfollow_account,
)


def run_together(*jobs: Callable[[], Any]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def runner(job: Callable[[], Any]) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_crossing_follows_and_blocks_keep_counters_exact(settings: Any) -> None:
    if connection.vendor == "sqlite":
        # The SQLite test database is in memory with a shared cache, which fails concurrent writers at once
        # ("table is locked") instead of waiting as the on-disk WAL database of the embedded mode does.
        pytest.skip("needs a database server for concurrent transactions")
    people = [
        register_account(email=f"p{i}@example.com", password="correct horse battery", handle=f"p{i}")
        for i in range(4)
    ]
    a, b, c, d = people
    for _ in range(5):
        errors = run_together(
            lambda: follow_account(a, b),
            lambda: follow_account(b, a),
            lambda: follow_account(c, a),
            lambda: follow_account(a, c),
            lambda: follow_account(d, b),
        )
        assert errors == []
        errors = run_together(
            lambda: unfollow_account(a, b),
            lambda: unfollow_account(b, a),
            lambda: block_account(c, a),
            lambda: follow_account(d, a),
        )
        assert errors == []
        unblock_account(c, a)
    connection.close()
    for account in Account.objects.all():
        assert account.followers_count == Follow.objects.filter(followee=account).count(), account.handle
        assert account.following_count == Follow.objects.filter(follower=account).count(), account.handle
