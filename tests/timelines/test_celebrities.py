"""PostgreSQL's set of accounts above the fan-out threshold (``timelines_celebrities``, migration 0004): kept
by a trigger as follower counts cross the threshold either way, made anew for another threshold by
``sync_celebrities`` (and its management command)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from spool.identities import services as identities
from spool.identities.models import Account
from spool.timelines.celebrities import sync_celebrities
from tests.timelines.conftest import People, committed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL keeps the set")


def held() -> tuple[int | None, set[int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT threshold FROM timelines_celebrity_threshold")
        (threshold,) = cursor.fetchone()
        cursor.execute("SELECT account_id FROM timelines_celebrities")
        return threshold, {r[0] for r in cursor.fetchall()}


def test_follower_counts_crossing_the_threshold_either_way() -> None:
    people = People()
    star, ana, bob, cy = people("star"), people("ana"), people("bob"), people("cy")
    assert sync_celebrities(1) == 0
    people.follow(ana, star)
    assert held() == (1, set())
    people.follow(bob, star)
    people.follow(cy, star)
    assert held() == (1, {star.id})
    committed(identities.unfollow_account, bob, star)
    assert held() == (1, {star.id})  # 2 followers: still above
    committed(identities.unfollow_account, cy, star)
    assert held() == (1, set())
    Account.objects.filter(id=ana.id).update(followers_count=7)  # a recount, raw writes alike
    assert held() == (1, {ana.id})
    assert sync_celebrities(5) == 1
    assert held() == (5, {ana.id})
    assert sync_celebrities(7) == 0
    assert held() == (7, set())


def test_the_management_command_makes_the_set_for_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings.SPOOL, "fanout_threshold", 15_000)
    people = People()
    star = people("star")
    Account.objects.filter(id=star.id).update(followers_count=20_000)
    sync_celebrities(30_000)
    assert held() == (30_000, set())
    out = StringIO()
    call_command("sync_celebrities", stdout=out)
    assert held() == (15_000, {star.id})
    assert out.getvalue().startswith("1 accounts")
