"""Every timeline test runs once per store: the SQL table and Redis (skipped only when ``REDIS_URL`` is
unset; CI's PostgreSQL + Redis run covers it). People are made and act through the real services, with
their after-commit work (fan-out tasks, run eagerly) executed as each call returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import TestCase

from spool.identities import services as identities
from spool.identities.models import Account
from spool.posts import services as posts
from spool.posts.models import Post, Repost
from spool.timelines.stores import TimelineStore, use_store
from tests.redis_keys import delete_redis_keys


@pytest.fixture(params=["sql", "redis"])
def store(request: Any, db: None) -> Iterator[TimelineStore]:
    if request.param == "sql":
        from spool.timelines.stores.sql import SqlStore

        with use_store(SqlStore()) as chosen:
            yield chosen
        return
    if not settings.SPOOL.redis_url:
        pytest.skip("REDIS_URL is not set")
    from spool.timelines.stores.redis_store import RedisStore

    prefix = f"{settings.KEY_PREFIX}test"
    with use_store(RedisStore(prefix=prefix)) as chosen:
        yield chosen
    delete_redis_keys(f"{prefix}:tl:*")


def committed(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a service and then its after-commit work (fan-out), as a real request would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call(*args, **kwargs)


class People:
    """Make accounts and act as them through the services."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, handle: str) -> Account:
        return committed(
            identities.register_account,
            email=f"{handle}@example.com",
            password="correct horse battery staple",
            handle=handle,
        )

    def follow(self, actor: Account, *targets: Account) -> None:
        for target in targets:
            committed(identities.follow_account, actor, target)

    def post(self, author: Account, text: str = "hello", **fields: Any) -> Post:
        self.count += 1
        return committed(posts.create_post, author, text=f"{text} {self.count}", **fields)

    def repost(self, actor: Account, post: Post) -> Repost:
        committed(posts.repost_post, actor, post.id)
        return Repost.objects.get(account_id=actor.id, post_id=post.id)


@pytest.fixture
def people(store: TimelineStore) -> People:
    return People()
