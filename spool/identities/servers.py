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
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains, EndsWith, Exact, StartsWith

from spool.core.compiled import compiled
from spool.identities.models import Follow, LimitedServer


def configured_limited() -> list[str]:
    return sorted({d.strip().lower() for d in settings.SPOOL.federation_silenced_domains if d.strip()})


def is_limited_domain(domain: str) -> bool:
    """Whether accounts of ``domain`` are limited (local accounts, ``""``, never are)."""
    domain = domain.strip().lower()
    if not domain:
        return False
    return domain in configured_limited() or bool(_LIMITED.run(raw=True, domain=domain))


# Asked by every follow of a local account by a remote one: compiled once per process.
_LIMITED = compiled(
    lambda domain: LimitedServer.objects.filter(domain=domain).values_list("domain")[:1], strs=("domain",)
)


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


def _on_servers(prefix: str, names: tuple[str, ...], rows: Callable[[], Any] | None) -> Q:
    """The account at ``prefix`` lives on one of the servers ``names`` or in ``rows()`` (a queryset with a
    ``domain`` column, a subquery read when the query runs): the server itself, any port of it or a
    subdomain of it — how ``spool.federation.policy`` matches a server against its lists."""
    rule = Q(pk__in=[])
    for name in names:
        rule |= Q(**{f"{prefix}__domain": name})
        rule |= Q(**{f"{prefix}__domain__startswith": f"{name}:"})
        rule |= Q(**{f"{prefix}__domain__endswith": f".{name}"})
        rule |= Q(**{f"{prefix}__domain__contains": f".{name}:"})
    if rows is not None:
        domain = OuterRef(f"{prefix}__domain")
        matches = (
            Q(Exact(domain, F("domain")))
            | Q(StartsWith(domain, Concat(F("domain"), Value(":"))))
            | Q(EndsWith(domain, Concat(Value("."), F("domain"))))
            | Q(Contains(domain, Concat(Value("."), F("domain"), Value(":"))))
        )
        rule |= Q(Exists(rows().filter(matches)))
    return rule


def on_blocked_server(prefix: str = "author", configured: tuple[str, ...] | None = None) -> Q:
    """The account at ``prefix`` lives on a blocked server: one of its names, with any port, or a subdomain
    of one (as ``spool.federation.policy.is_blocked_domain`` refuses them). Local accounts never do.
    ``configured``: the operator's list (:func:`configured_blocked`), read now when not given; stored
    blocks are a subquery, read when the query runs."""
    names = configured_blocked() if configured is None else configured
    rule = _on_servers(prefix, names, _blocked_rows[0] if _blocked_rows else None)
    return ~Q(**{f"{prefix}__domain": ""}) & rule


# --- Allowlist mode -------------------------------------------------------------------------------------

_allowed_rows: list[Callable[[], Any]] = []


def register_allowed_servers(rows: Callable[[], Any]) -> None:
    """Federation hands over its stored allowed servers: ``rows()`` is a queryset with a ``domain`` column."""
    _allowed_rows[:] = [rows]


def configured_allowed() -> tuple[str, ...] | None:
    """The operator's allowed servers while the site runs in allowlist mode; ``None`` when it does not."""
    config = settings.SPOOL
    if not config.federation_allowlist_mode:
        return None
    return tuple(sorted({d.strip().lower() for d in config.federation_allowed_domains if d.strip()}))


def off_allowlist(prefix: str = "author", configured: tuple[str, ...] | None = None) -> Q:
    """The account at ``prefix`` is remote and its server (or a parent domain of it) is neither in the
    operator's allowed servers ``configured`` nor stored as allowed: in allowlist mode such accounts are
    refused by federation (``spool.federation.policy.is_blocked_domain``) and their posts leave every read."""
    rule = _on_servers(prefix, configured or (), _allowed_rows[0] if _allowed_rows else None)
    return ~Q(**{f"{prefix}__domain": ""}) & ~rule


class ServerPolicy(NamedTuple):
    """What the read rules need of the operator's settings, read once per query build (hashable: it is part
    of the key of the visibility rule cached per viewer)."""

    blocked: tuple[str, ...]
    allowed: tuple[str, ...] | None  # None: not in allowlist mode


def server_policy() -> ServerPolicy:
    return ServerPolicy(configured_blocked(), configured_allowed())


def refused_servers(prefix: str = "author", policy: ServerPolicy | None = None) -> Q:
    """The account at ``prefix`` is on a server the site refuses: blocked, or off the allowlist while the
    site runs in allowlist mode."""
    policy = policy or server_policy()
    rule = on_blocked_server(prefix, policy.blocked)
    if policy.allowed is not None:
        rule |= off_allowlist(prefix, policy.allowed)
    return rule
