"""NodeInfo 2.0 and 2.1 (what software this is, which protocols, how many people) and host-meta."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from spool.federation import ids
from spool.federation.models import FederationOptIn
from spool.identities.models import Account
from spool.posts.models import Post

VERSIONS = ("2.0", "2.1")


def links() -> dict[str, Any]:
    return {
        "links": [
            {
                "rel": f"http://nodeinfo.diaspora.software/ns/schema/{v}",
                "href": f"{ids.base_url()}/nodeinfo/{v}",
            }
            for v in VERSIONS
        ]
    }


def document(version: str) -> dict[str, Any]:
    """Counts are of local accounts and posts (bounded queries: counters, not scans of posts)."""
    now = timezone.now()
    local = Account.objects.filter(domain="", is_active=True)
    software: dict[str, Any] = {"name": "spool", "version": "0.1.0"}
    if version == "2.1":
        software["repository"] = "https://spool.social/source"
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": True,
        "usage": {
            "users": {
                "total": local.count(),
                "activeMonth": local.filter(posts__created_at__gte=now - timedelta(days=30))
                .distinct()
                .count(),
                "activeHalfyear": local.filter(posts__created_at__gte=now - timedelta(days=180))
                .distinct()
                .count(),
            },
            "localPosts": Post.objects.filter(author__domain="").count(),
        },
        "metadata": {
            "nodeName": ids.local_domain(),
            "federatingProfiles": FederationOptIn.objects.filter(enabled=True).count(),
        },
    }


def host_meta() -> str:
    template = f"{ids.base_url()}/.well-known/webfinger?resource={{uri}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
