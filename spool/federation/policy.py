"""Who federates and with whom: per-profile opt-in, blocked domains, development mode."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from spool.core.compiled import compiled
from spool.core.errors import Conflict, Forbidden
from spool.federation import ids
from spool.federation.models import DomainBlock, FederationOptIn
from spool.federation.remembered import remembered
from spool.federation.server_lists import allowed_in, blocked_in
from spool.identities.models import Account


def dev_mode() -> bool:
    """Development mode (plain http, loopback addresses, ports): only ever on together with debug."""
    config = settings.SPOOL
    return bool(config.federation_dev_mode and config.debug)


def domain_of(uri: str) -> str:
    """The host (with a non-default port) of ``uri``, lower-cased: how Spool names a server."""
    parts = urlsplit(uri)
    return (parts.netloc.rsplit("@", 1)[-1] or "").lower()


def _candidates(domain: str) -> set[str]:
    """``domain``, its host without the port, and its parent domains (``a.b.example`` → ``b.example``,
    ``example``... down to two labels)."""
    host = domain.split(":", 1)[0]
    parts = host.split(".")
    return {domain, host} | {".".join(parts[i:]) for i in range(1, len(parts) - 1)}


def is_blocked_domain(domain: str) -> bool:
    """Whether Spool refuses ``domain``: it (or a parent domain of it) is blocked by settings or by a
    stored block, or the site runs in allowlist mode and neither it nor a parent domain is allowed. Every
    refusal in federation (inbox, signed fetches of our documents, outgoing fetches and deliveries) asks
    this one question (deliveries for a batch of servers at once, :func:`blocked_among`)."""
    return bool(blocked_among([domain]))


def blocked_among(domains: Iterable[str]) -> set[str]:
    """Those of ``domains`` that :func:`is_blocked_domain` refuses, from this process's snapshot of the
    stored lists (:mod:`spool.federation.server_lists`; inside a transaction, one query, two in allowlist
    mode)."""
    config = settings.SPOOL
    clean = {domain: domain.lower().strip(".") for domain in domains}
    blocked = {domain for domain, name in clean.items() if not name}
    candidates = {domain: _candidates(name) for domain, name in clean.items() if name}
    every = set().union(*candidates.values())
    refused = {d.lower() for d in config.federation_blocked_domains}
    refused |= blocked_in(every)
    blocked |= {domain for domain, names in candidates.items() if names & refused}
    if config.federation_allowlist_mode:
        allowed = {d.lower() for d in config.federation_allowed_domains}
        allowed |= allowed_in(every)
        local = ids.local_domain()
        blocked |= {d for d, names in candidates.items() if clean[d] != local and not names & allowed}
    return blocked


def federates(account: Account) -> bool:
    """Whether local ``account`` takes part in federation: the site allows it and the person opted in."""
    if not settings.SPOOL.federation_enabled or not account.is_local or not account.is_active:
        return False
    return FederationOptIn.objects.filter(account_id=account.pk, enabled=True).exists()


def federating(account_id: int) -> bool:
    """:func:`federates` for the local account ``account_id``, in one query that loads no account (the
    personal inbox asks it on every POST; compiled once per process, :mod:`spool.core.compiled`). A yes is
    :func:`~spool.federation.remembered.remembered` for the rest of an inbox batch: a new follow asks it
    twice (the ``Follow`` handler, then the ``Accept`` it sends)."""
    return settings.SPOOL.federation_enabled and remembered(
        ("federating", account_id), lambda: bool(_FEDERATING.run(id=account_id))
    )


_FEDERATING = compiled(
    lambda id: FederationOptIn.objects.filter(
        account_id=id, enabled=True, account__is_active=True, account__domain=""
    ).values_list("account_id")[:1],
    ints=("id",),
)


def set_federation(account: Account, enabled: bool) -> bool:
    """Opt ``account`` in to federation or out of it; returns the new state.

    Opting in needs a public profile (409 ``private_profile``); a profile that goes private later keeps
    federating, with its posts addressed to followers only and follows needing approval. Only local, active
    accounts (403 ``deactivated``)."""
    if not account.is_local or not account.is_active:
        raise Forbidden("This profile can't change federation.", code="deactivated")
    if enabled and account.is_private:
        raise Conflict(
            "Only public profiles can join the fediverse. Make your profile public first.",
            code="private_profile",
        )
    with transaction.atomic():
        FederationOptIn.objects.update_or_create(account_id=account.pk, defaults={"enabled": bool(enabled)})
    return bool(enabled)


def block_domain(domain: str, reason: str = "") -> DomainBlock:
    """Refuse ``domain`` from now on (idempotent)."""
    block, _ = DomainBlock.objects.get_or_create(domain=domain.lower().strip(), defaults={"reason": reason})
    return block
