"""What people do with federation: opt in, follow a remote account found by its handle, block a domain."""

from __future__ import annotations

from django.conf import settings

from spool.federation.actors import account_for_actor
from spool.federation.fetch import RemoteError
from spool.federation.policy import block_domain, is_blocked_domain, set_federation
from spool.federation.webfinger import lookup, parse_resource
from spool.identities.models import Account

__all__ = ["block_domain", "resolve_remote_account", "set_federation"]


def resolve_remote_account(handle: str) -> Account | None:
    """The Account for ``@user@server`` (or ``user@server``), looked up by WebFinger and fetched when not
    known yet; ``None`` when the handle is local, malformed, on a blocked server, or cannot be resolved.
    Safe to call from search: every fetch goes through the SSRF-safe fetcher with its limits."""
    parsed = parse_resource(handle)
    if parsed is None or not settings.SPOOL.federation_enabled:
        return None
    user, domain = parsed
    if domain == settings.SPOOL.domain.lower() or is_blocked_domain(domain):
        return None
    known = Account.objects.filter(handle__iexact=user, domain=domain).first()
    if known is not None:
        return known
    try:
        return account_for_actor(lookup(user, domain), handle_domain=domain)
    except RemoteError:
        return None
