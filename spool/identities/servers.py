"""Limited ("silenced") and blocked servers, as the read rules see them.

A server is limited when a moderator stored a :class:`~spool.identities.models.LimitedServer` for it or the
operator listed it in ``SPOOL.federation_silenced_domains``. Names match exactly (``Account.domain``, which
carries a non-default port): a subdomain is another server. The rule is one SQL condition, so the read
chokepoint (``PostQuerySet.open_reach``) composes it with any query and never loads the list into Python
on the hot path.

Blocked servers (``DomainBlock``, kept by federation, and ``SPOOL.federation_blocked_domains``) are read
through a seam: federation registers its table in ``AppConfig.ready`` (:func:`register_blocked_servers`),
so this layer never imports it. A block covers the server, any port of it and its subdomains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains, EndsWith, Exact, StartsWith

from spool.identities.models import Follow, LimitedServer


def configured_limited() -> list[str]:
    return sorted({d.strip().lower() for d in settings.SPOOL.federation_silenced_domains if d.strip()})


def is_limited_domain(domain: str) -> bool:
    """Whether accounts of ``domain`` are limited (local accounts, ``""``, never are)."""
    domain = domain.strip().lower()
    if not domain:
        return False
    return domain in configured_limited() or LimitedServer.objects.filter(domain=domain).exists()


def on_limited_server(prefix: str = "author") -> Q:
    """The account at ``prefix`` lives on a limited server."""
    stored: Any = LimitedServer.objects.values("domain")
    rule = Q(**{f"{prefix}__domain__in": stored})
    configured = configured_limited()
    if configured:
        rule |= Q(**{f"{prefix}__domain__in": configured})
    return rule


def limited_for(viewer_id: int | None, prefix: str = "author") -> Q:
    """The account at ``prefix`` is on a limited server and ``viewer_id`` does not follow it (for a logged
    out viewer: is on a limited server)."""
    rule = on_limited_server(prefix)
    if viewer_id is None:
        return rule
    followed = Follow.objects.filter(follower_id=viewer_id).values("followee_id")
    return rule & ~Q(**{f"{prefix}_id__in": followed}) & ~Q(**{f"{prefix}_id": viewer_id})


_blocked_rows: list[Callable[[], Any]] = []


def register_blocked_servers(rows: Callable[[], Any]) -> None:
    """Federation hands over its stored blocks: ``rows()`` is a queryset with a ``domain`` column."""
    _blocked_rows[:] = [rows]


def configured_blocked() -> tuple[str, ...]:
    return tuple(sorted({d.strip().lower() for d in settings.SPOOL.federation_blocked_domains if d.strip()}))


def on_blocked_server(prefix: str = "author", configured: tuple[str, ...] | None = None) -> Q:
    """The account at ``prefix`` lives on a blocked server: one of its names, with any port, or a subdomain
    of one (as ``spool.federation.policy.is_blocked_domain`` refuses them). Local accounts never do.
    ``configured``: the operator's list (:func:`configured_blocked`), read now when not given; stored
    blocks are a subquery, read when the query runs."""
    rule = Q(pk__in=[])
    for name in configured_blocked() if configured is None else configured:
        rule |= Q(**{f"{prefix}__domain": name})
        rule |= Q(**{f"{prefix}__domain__startswith": f"{name}:"})
        rule |= Q(**{f"{prefix}__domain__endswith": f".{name}"})
        rule |= Q(**{f"{prefix}__domain__contains": f".{name}:"})
    if _blocked_rows:
        domain = OuterRef(f"{prefix}__domain")
        matches = (
            Q(Exact(domain, F("domain")))
            | Q(StartsWith(domain, Concat(F("domain"), Value(":"))))
            | Q(EndsWith(domain, Concat(Value("."), F("domain"))))
            | Q(Contains(domain, Concat(Value("."), F("domain"), Value(":"))))
        )
        rule |= Q(Exists(_blocked_rows[0]().filter(matches)))
    return ~Q(**{f"{prefix}__domain": ""}) & rule
