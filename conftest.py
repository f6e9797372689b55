"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, TestCase


class CommitClient(Client):
    """The Django test client, but each request's ``on_commit`` work runs when the request ends — as it
    would after a real commit — even though the test wraps everything in one transaction."""

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client(db: None) -> CommitClient:
    return CommitClient()


@pytest.fixture
def anon(db: None) -> CommitClient:
    """A logged-out visitor."""
    return CommitClient()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Iterator[Any]:
    """Run services directly with their after-commit work executed."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        yield callbacks


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_eagerly() -> None:
    """Background tasks run synchronously in tests, through the real task code."""
    from spool.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
