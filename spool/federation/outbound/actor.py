"""The actor document of a local account (``Person``)."""

from __future__ import annotations

from html import escape
from typing import Any

from spool.federation import ids
from spool.federation.keys import local_key
from spool.federation.vocab import CONTEXT
from spool.identities.models import Account


def person(account: Account) -> dict[str, Any]:
    uri = ids.actor_uri(account.pk)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": uri,
        "type": "Person",
        "preferredUsername": account.handle,
        "name": account.display_name or account.handle,
        "summary": f"<p>{escape(account.bio)}</p>" if account.bio else "",
        "url": ids.profile_page(account.handle),
        "inbox": ids.inbox_uri(account.pk),
        "outbox": f"{uri}/outbox",
        "followers": ids.followers_uri(account.pk),
        "following": f"{uri}/following",
        "featured": f"{uri}/featured",
        "endpoints": {"sharedInbox": ids.shared_inbox_uri()},
        "manuallyApprovesFollowers": account.is_private,
        "discoverable": True,
        "published": account.created_at.isoformat().replace("+00:00", "Z"),
        "publicKey": {
            "id": ids.key_id(account.pk),
            "owner": uri,
            "publicKeyPem": local_key(account).public_key_pem,
        },
        "attachment": [
            {
                "type": "PropertyValue",
                "name": str(link.get("title") or "Link"),
                "value": f'<a href="{escape(str(link.get("url", "")))}" rel="me nofollow noopener">'
                f"{escape(str(link.get('url', '')))}</a>",
            }
            for link in account.links
            if isinstance(link, dict) and link.get("url")
        ],
    }
    if account.avatar:
        document["icon"] = {"type": "Image", "url": ids.base_url() + account.avatar.url}
    return document
