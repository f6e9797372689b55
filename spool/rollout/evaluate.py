"""Whether a feature is on: :func:`is_enabled`, the one place every front door and service asks.

The saved flags are read as one dictionary, cached (Django's cache: Redis at scale, so one change is seen by
every process; the in-process cache embedded, where :data:`CACHE_SECONDS` bounds how long another process
can lag) and dropped from the cache when a change commits (:func:`forget_flags`). Asking costs no query
while the cache is warm.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction

from spool.rollout.flags import KNOWN_FLAGS
from spool.rollout.models import Flag

CACHE_KEY = "rollout:flags:v1"
CACHE_SECONDS = 30
BUCKETS = 10_000  # percentages are compared in hundredths, so 0.01 % steps would be possible


@dataclass(frozen=True)
class Rule:
    """A saved flag as evaluation needs it (what the cache holds)."""

    enabled: bool
    percentage: int
    account_ids: frozenset[int]
    allowed: frozenset[str]
    denied: frozenset[str]


def is_enabled(name: str, account: Any = None, country: str | None = None) -> bool:
    """Whether feature ``name`` is on for ``account`` (an Account, an account ID, or ``None`` for a visitor)
    in ``country`` (an ISO 3166 alpha-2 code from :func:`spool.rollout.country.request_country`, ``None`` when
    unknown).

    Order: an unsaved flag gives its default (:data:`~spool.rollout.flags.KNOWN_FLAGS`; unknown names are
    off). A saved flag that is off is off for everyone. Then the country: in ``countries_denied`` → off; not
    in a non-empty ``countries_allowed`` (an unknown country included) → off. Then the allowlist → on. Then
    the percentage: 100 → on for everyone, else on for the accounts whose :func:`bucket` falls under it
    (visitors without an account only at 100)."""
    rule = rules().get(name)
    if rule is None:
        known = KNOWN_FLAGS.get(name)
        return known.default if known is not None else False
    if not rule.enabled:
        return False
    code = (country or "").upper() or None
    if code is not None and code in rule.denied:
        return False
    if rule.allowed and code not in rule.allowed:
        return False
    account_id = getattr(account, "pk", account)
    if account_id is not None and int(account_id) in rule.account_ids:
        return True
    if rule.percentage >= 100:
        return True
    if account_id is None or rule.percentage <= 0:
        return False
    return bucket(name, int(account_id)) < rule.percentage * (BUCKETS // 100)


def bucket(name: str, account_id: int) -> int:
    """A stable number in ``[0, BUCKETS)`` for this account and flag: the same on every process and every
    day, so raising the percentage only ever adds people; salted by the flag's name so each flag picks a
    different group first."""
    digest = hashlib.sha256(f"{name}:{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def rules() -> dict[str, Rule]:
    """Every saved flag by name, from the cache (one query to fill it)."""
    cached: dict[str, Rule] | None = cache.get(CACHE_KEY)
    if cached is None:
        cached = {flag.name: _rule(flag) for flag in Flag.objects.all()}
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return cached


def forget_flags() -> None:
    """Drop the cached flags once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def _rule(flag: Flag) -> Rule:
    return Rule(
        enabled=flag.enabled,
        percentage=flag.percentage,
        account_ids=frozenset(int(i) for i in flag.account_ids),
        allowed=frozenset(flag.countries_allowed),
        denied=frozenset(flag.countries_denied),
    )
