"""Fixtures for the whole suite."""

from __future__ import annotations

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
