"""Relationship lookups and account lists cost a fixed number of queries, whatever the page holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spool.identities.models import Account
from spool.identities.relationships import relationships
from tests.identities.people import API, Person


def queries(fn: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


@pytest.fixture
def crowd(person: Callable[..., Person]) -> tuple[Person, list[Person]]:
    """@me and 40 others standing towards @me in every possible way."""
    me = person("me_")
    others = [person(f"p{i:02}") for i in range(40)]
    for i, other in enumerate(others):
        kind = i % 5
        if kind == 0:
            me.post(f"{other.handle}/follow")
            other.post("me_/follow")
        elif kind == 1:
            me.post(f"{other.handle}/mute")
            me.post(f"{other.handle}/restrict")
        elif kind == 2:
            other.post("me_/block")
        elif kind == 3:
            me.post(f"{other.handle}/block")
    return me, others


def test_relationships_cost_one_query_for_1_or_40_accounts(
    crowd: tuple[Person, list[Person]], django_assert_num_queries: Any
) -> None:
    me, others = crowd
    viewer = Account.objects.get(pk=me.id)
    with django_assert_num_queries(1):
        one = relationships(viewer, [others[0].id])
    with django_assert_num_queries(1):
        many = relationships(viewer, [o.id for o in others])
    assert one[others[0].id].following and one[others[0].id].followed_by
    assert len(many) == 40
    assert [many[o.id].following for o in others[:5]] == [True, False, False, False, False]
    assert many[others[1].id].muting and many[others[1].id].restricting
    assert many[others[2].id].blocked_by and not many[others[2].id].blocking
    assert many[others[3].id].blocking and not many[others[3].id].blocked_by
    assert not any(vars(many[others[4].id])[flag] for flag in vars(many[others[4].id]) if flag != "id")
    with django_assert_num_queries(0):
        assert relationships(None, [o.id for o in others])[others[0].id].following is False
        assert relationships(viewer, []) == {}


def test_relationships_endpoint_costs_the_same_for_1_or_40_handles(
    crowd: tuple[Person, list[Person]],
) -> None:
    me, others = crowd
    one_count, one = queries(lambda: me.get("relationships", handles=others[0].handle))
    handles = ",".join(o.handle for o in others)
    many_count, many = queries(lambda: me.get("relationships", handles=handles))
    assert one.status_code == many.status_code == 200
    assert len(many.json()) == 40
    assert one_count == many_count


def test_follower_pages_cost_the_same_for_1_or_40_followers(person: Callable[..., Person], anon: Any) -> None:
    small, big = person("small"), person("big")
    fans = [person(f"fan{i:02}") for i in range(40)]
    fans[0].post("small/follow")
    for fan in fans:
        fan.post("big/follow")
    one_count, one = queries(lambda: anon.get(API + "small/followers", {"limit": 40}))
    many_count, many = queries(lambda: anon.get(API + "big/followers", {"limit": 40}))
    assert len(one.json()["items"]) == 1
    assert len(many.json()["items"]) == 40
    assert one_count == many_count
    # Signed in, with block checks, still flat.
    viewer = person("viewer")
    one_count, _ = queries(lambda: viewer.get("small/followers", limit=40))
    many_count, _ = queries(lambda: viewer.get("big/followers", limit=40))
    assert one_count == many_count
    assert big.get("me").status_code == small.get("me").status_code == 200
