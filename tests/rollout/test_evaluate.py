"""Evaluating flags: percentage (its share and its stability), the allowlist, countries, the order of the
rules, defaults of flags never saved, and the cache with its invalidation on change."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import TestCase

from spool.rollout.evaluate import CACHE_KEY, bucket, is_enabled
from spool.rollout.models import Flag
from spool.rollout.services import save_flag

pytestmark = pytest.mark.django_db

IDS = range(10_000, 14_000)


def saved(name: str = "beta", **values: object) -> Flag:
    """Save through the real service, with its after-commit cache drop run as a commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        flag, _ = save_flag(name, **values)
    return flag


def share(name: str) -> float:
    return sum(is_enabled(name, i) for i in IDS) / len(IDS)


def test_a_percentage_enables_about_that_share_of_accounts() -> None:
    for percentage in (0, 10, 30, 75, 100):
        saved(enabled=True, percentage=percentage)
        assert abs(share("beta") - percentage / 100) < 0.03, percentage


def test_a_percentage_is_stable_and_growing_it_only_adds_people() -> None:
    saved(enabled=True, percentage=20)
    first = {i for i in IDS if is_enabled("beta", i)}
    cache.delete(CACHE_KEY)  # another process, a later day: the same people
    assert {i for i in IDS if is_enabled("beta", i)} == first
    saved(enabled=True, percentage=50)
    wider = {i for i in IDS if is_enabled("beta", i)}
    assert first < wider
    assert all(bucket("beta", i) == bucket("beta", i) for i in IDS)


def test_each_flag_picks_its_own_people_first() -> None:
    saved("one", enabled=True, percentage=20)
    saved("two", enabled=True, percentage=20)
    one = {i for i in IDS if is_enabled("one", i)}
    two = {i for i in IDS if is_enabled("two", i)}
    # Independent draws overlap on about 20 % of 20 % = 4 % of people, not 20 %.
    assert len(one & two) / len(IDS) < 0.07


def test_visitors_without_an_account_only_at_100_percent() -> None:
    saved(enabled=True, percentage=99)
    assert not is_enabled("beta", None)
    saved(enabled=True, percentage=100)
    assert is_enabled("beta", None)


def test_the_allowlist_turns_it_on_for_those_accounts_only_while_the_flag_is_on(make_account) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    saved(enabled=True, percentage=0, account_ids=[ana.pk])
    assert is_enabled("beta", ana) and is_enabled("beta", ana.pk)
    assert not is_enabled("beta", bob)
    saved(enabled=False, percentage=100, account_ids=[ana.pk])
    assert not is_enabled("beta", ana) and not is_enabled("beta", bob)


def test_countries_allowed_and_denied_apply_to_everyone(make_account) -> None:
    ana = make_account("ana")
    saved(enabled=True, percentage=100, countries_allowed=["de", "AT"], account_ids=[ana.pk])
    assert is_enabled("beta", 1, "DE") and is_enabled("beta", 1, "at")
    assert not is_enabled("beta", 1, "FR")
    assert not is_enabled("beta", 1, None)  # unknown country: not known to be allowed
    assert not is_enabled("beta", ana, "FR")  # the allowlist does not override regional availability
    saved(enabled=True, percentage=100, countries_denied=["FR"])
    assert is_enabled("beta", 1, "DE") and is_enabled("beta", 1, None)
    assert not is_enabled("beta", 1, "FR")


def test_unsaved_flags_give_their_default() -> None:
    assert is_enabled("dear_algo", 1)  # a known flag, on by default
    assert not is_enabled("never_heard_of", 1)


def test_flags_are_read_from_the_cache_and_a_change_drops_it(django_assert_num_queries) -> None:
    saved(enabled=True, percentage=0)
    with django_assert_num_queries(1):
        assert not is_enabled("beta", 1)
    with django_assert_num_queries(0):
        for i in IDS:
            is_enabled("beta", i)
    # A write that bypasses the service is not seen: the answer really comes from the cache…
    Flag.objects.filter(name="beta").update(percentage=100)
    assert not is_enabled("beta", 1)
    # …and a change through the service drops it when it commits.
    saved(enabled=True, percentage=100)
    assert is_enabled("beta", 1)


def test_the_cache_is_dropped_only_once_the_change_commits() -> None:
    saved(enabled=True, percentage=0)
    assert not is_enabled("beta", 1)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        save_flag("beta", enabled=True, percentage=100)
    assert callbacks  # the drop waits for a commit
    assert cache.get(CACHE_KEY) is not None
