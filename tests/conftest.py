"""Fixtures for the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from pytest_django.fixtures import _assert_num_queries


class _Verbose:
    """A pytest config that reports itself verbose, so a failed query count lists the queries."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def getoption(self, name: str, *args: Any) -> Any:
        return 1 if name == "verbose" else self._config.getoption(name, *args)


@pytest.fixture
def django_assert_num_queries(pytestconfig: pytest.Config) -> Any:
    """pytest-django's, but a failure lists the SQL even without ``-v``: CI runs without it, and a count
    that differs only there cannot be diagnosed from a bare number."""
    return partial(_assert_num_queries, _Verbose(pytestconfig))


@pytest.fixture(autouse=True, scope="session")
def _pages_checked_by_statement() -> None:
    """Home pages are checked by statement, not trusted on the database's notices
    (spool.timelines.notices): most tests write inside a transaction that is never committed, so nothing
    they change is ever announced. The tests of the notices turn them on (with committed data)."""
    from django.conf import settings

    settings.SPOOL.page_notices = False


@pytest.fixture(scope="session")
def _ear() -> Iterator[Any]:
    """This process's listener for the database's notices, stopped at the end of the session (its
    connection would keep the test database from being dropped)."""
    from spool.timelines.notices import ear

    yield ear
    ear.stop()


@pytest.fixture
def notices_heard(_ear: Any) -> Iterator[Any]:
    """Home pages trusted on the database's notices for this test (PostgreSQL; needs committed data:
    ``django_db(transaction=True)``), the listener heard from before it returns."""
    import time

    from django.conf import settings

    settings.SPOOL.page_notices = True
    try:
        deadline = time.monotonic() + 10
        while not _ear.start():
            assert time.monotonic() < deadline, "not listening for page notices"
            time.sleep(0.05)
        assert _ear.caught_up(), "the page notices were not heard"
        yield _ear
    finally:
        settings.SPOOL.page_notices = False
