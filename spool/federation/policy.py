"""Who federates and with whom: per-profile opt-in, blocked domains, development mode."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from spool.core.errors import Conflict, Forbidden
from spool.federation.models import DomainBlock, FederationOptIn
from spool.identities.models import Account


def dev_mode() -> bool:
    """Development mode (plain http, loopback addresses, ports): only ever on together with debug."""
    config = settings.SPOOL
    return bool(config.federation_dev_mode and config.debug)


def domain_of(uri: str) -> str:
    """The host (with a non-default port) of ``uri``, lower-cased: how Spool names a server."""
    parts = urlsplit(uri)
    return (parts.netloc.rsplit("@", 1)[-1] or "").lower()


def is_blocked_domain(domain: str) -> bool:
    """Whether ``domain`` (or a parent domain of it) is blocked by settings or by a stored block."""
    domain = domain.lower().strip(".")
    if not domain:
        return True
    host = domain.split(":", 1)[0]
    candidates = {domain, host}
    parts = host.split(".")
    candidates.update(".".join(parts[i:]) for i in range(1, len(parts) - 1))
    configured = {d.lower() for d in settings.SPOOL.federation_blocked_domains}
    if candidates & configured:
        return True
    return DomainBlock.objects.filter(domain__in=candidates).exists()


def federates(account: Account) -> bool:
    """Whether local ``account`` takes part in federation: the site allows it and the person opted in."""
    if not settings.SPOOL.federation_enabled or not account.is_local or not account.is_active:
        return False
    return FederationOptIn.objects.filter(account_id=account.pk, enabled=True).exists()


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
