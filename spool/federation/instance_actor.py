"""The instance actor (``/ap/actor``, an ``Application``): signs the fetches the site makes on its own
behalf, as Mastodon's does, so servers that require signed GETs still answer."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from spool.core.fetch import Signer
from spool.federation import ids, keys
from spool.federation.models import SiteKey
from spool.federation.signatures import sign_request


def actor_uri() -> str:
    return f"{ids.base_url()}/ap/actor"


def site_key() -> SiteKey:
    found = SiteKey.objects.filter(id=1).first()
    if found is not None:
        return found
    private_pem, public_pem = keys.generate_key_pair()
    try:
        with transaction.atomic():
            return SiteKey.objects.create(id=1, private_key_pem=private_pem, public_key_pem=public_pem)
    except IntegrityError:
        return SiteKey.objects.get(id=1)


def instance_signer() -> Signer:
    key = site_key()

    def signer(method: str, url: str, headers: dict[str, str]) -> dict[str, str]:
        return sign_request(
            method, url, headers, None, key_id=f"{actor_uri()}#main-key", private_pem=key.private_key_pem
        )

    return signer


def document() -> dict[str, Any]:
    uri = actor_uri()
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": uri,
        "type": "Application",
        "preferredUsername": ids.local_domain(),
        "inbox": ids.shared_inbox_uri(),
        "outbox": f"{uri}/outbox",
        "manuallyApprovesFollowers": True,
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": site_key().public_key_pem},
        "endpoints": {"sharedInbox": ids.shared_inbox_uri()},
    }
