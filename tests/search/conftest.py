"""People registered through the identity services, and writes whose after-commit work (the indexing task)
runs when the write returns, as it does after a real commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import TestCase

from spool.identities.models import Account
from spool.posts.models import Post
from spool.posts.services import create_post
from tests.feeds.conftest import people  # noqa: F401  (fixtures shared with other tests)
from tests.web.conftest import login, make_account  # noqa: F401


@pytest.fixture
def committed(db: None) -> Callable[..., Any]:
    """``committed(service, *args)`` calls the service, then runs what it left for after the commit."""

    def run(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return service(*args, **kwargs)

    return run


@pytest.fixture
def post(committed: Callable[..., Any]) -> Callable[..., Post]:
    """``post(author, "text", **options)``: a post created through ``create_post`` and indexed."""

    def make(author: Account, text: str, **options: Any) -> Post:
        result: Post = committed(create_post, author, text=text, **options)
        return result

    return make
