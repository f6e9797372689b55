"""``ratelimit.refund`` takes back one counted action — in the database counter (embedded) or in Redis (scale
out) — so it can be taken again; a counter at zero (or one never counted) stays at zero."""

from __future__ import annotations

from datetime import timedelta

import pytest

from spool.core.errors import RateLimited
from spool.core.ratelimit import Limit, hit, refund

pytestmark = pytest.mark.django_db
RULE = Limit("refund checks", 2, timedelta(hours=1))


def test_a_refunded_action_can_be_taken_again() -> None:
    hit(RULE, "ana")
    assert hit(RULE, "ana") == 0
    refund(RULE, "ana")
    assert hit(RULE, "ana") == 0
    with pytest.raises(RateLimited):
        hit(RULE, "ana")


def test_refunds_never_go_below_zero() -> None:
    refund(RULE, "bea")  # never counted
    assert hit(RULE, "bea") == 1
    refund(RULE, "bea")
    refund(RULE, "bea")
    assert hit(RULE, "bea") == 1
