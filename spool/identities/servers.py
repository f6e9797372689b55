"""Limited ("silenced") servers, as the read rules see them.

A server is limited when a moderator stored a :class:`~spool.identities.models.LimitedServer` for it or the
operator listed it in ``SPOOL.federation_silenced_domains``. Names match exactly (``Account.domain``, which
carries a non-default port): a subdomain is another server. The rule is one SQL condition, so the read
chokepoint (``PostQuerySet.open_reach``) composes it with any query and never loads the list into Python
on the hot path.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

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
