"""WebFinger (RFC 7033) both ways: answering ``acct:handle@our-domain`` and looking up remote handles."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from spool.federation import ids
from spool.federation.fetch import RemoteError, get_json
from spool.federation.policy import dev_mode, federates
from spool.identities.models import Account

JRD = "application/jrd+json"


def parse_resource(resource: str) -> tuple[str, str] | None:
    """(handle, domain) of ``acct:handle@domain``, ``@handle@domain`` or ``handle@domain``."""
    value = resource.strip()
    if value.startswith("acct:"):
        value = value[5:]
    value = value.lstrip("@")
    handle, _, domain = value.partition("@")
    if not handle or not domain or "@" in domain or "/" in domain:
        return None
    return handle, domain.lower()


def local_document(resource: str) -> dict[str, Any] | None:
    """The JRD for one of our federating accounts, given as ``acct:`` or as its actor id/profile URL."""
    account: Account | None = None
    local_id = ids.local_account_id(resource)
    if local_id is not None:
        account = Account.objects.filter(pk=local_id, domain="", is_active=True).first()
    elif resource.startswith(ids.base_url() + "/@"):
        handle = resource[len(ids.base_url()) + 2 :].strip("/")
        account = Account.objects.active().by_handle(handle).first()
    else:
        parsed = parse_resource(resource)
        if parsed is None or parsed[1] != ids.local_domain():
            return None
        account = Account.objects.active().by_handle(parsed[0]).first()
    if account is None or not federates(account):
        return None
    actor = ids.actor_uri(account.pk)
    return {
        "subject": f"acct:{account.handle}@{ids.local_domain()}",
        "aliases": [ids.profile_page(account.handle), actor],
        "links": [
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": ids.profile_page(account.handle),
            },
            {"rel": "self", "type": "application/activity+json", "href": actor},
        ],
    }


def lookup(handle: str, domain: str) -> str:
    """The actor id a remote server gives for ``handle@domain`` (raises :class:`RemoteError`)."""
    scheme = "http" if dev_mode() and _loopback(domain) else "https"
    url = f"{scheme}://{domain}/.well-known/webfinger?resource={quote(f'acct:{handle}@{domain}')}"
    data = get_json(url, signed=False, accept=f"{JRD}, application/json")
    for link in data.get("links") or []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and isinstance(link.get("href"), str)
            and str(link.get("type", "")).startswith(("application/activity+json", "application/ld+json"))
        ):
            return str(link["href"])
    raise RemoteError(f"{handle}@{domain} has no ActivityPub actor.", "no_actor")


def _loopback(domain: str) -> bool:
    host = domain.rsplit(":", 1)[0] if not domain.startswith("[") else domain.split("]")[0][1:]
    return host in ("localhost", "::1") or host.startswith("127.")
