"""Mastodon ``Account`` and ``CredentialAccount`` from Spool accounts. Everything shown is on the row itself
(counters are denormalised), so rendering a page of accounts costs no query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from spool.api.mastodon.entities.common import (
    MISSING_AVATAR,
    MISSING_HEADER,
    absolute,
    absolute_links,
    iso,
    paragraph,
)
from spool.federation.origins import Origin, account_origins
from spool.identities.models import Account, FollowRequest
from spool.posts.rendering import render_post_text


def profile_url(account: Account) -> str:
    """The profile page on this server: ``/@handle``, or ``/@user@server`` for a remote account."""
    return absolute(f"/@{account.acct}")


def account_links(account: Account, origins: Mapping[int, Origin] | None = None) -> tuple[str, str]:
    """(``uri``, ``url``) as Mastodon gives them: for a remote account its ActivityPub id and its page on
    its own server (from ``origins`` when the caller read a page's at once, else one query)."""
    if account.is_local:
        url = profile_url(account)
        return url, url
    if origins is None:
        origins = account_origins([account.pk])
    origin = origins.get(account.pk)
    if origin is None:  # an account we hold no actor for (never expected): its page here
        url = profile_url(account)
        return url, url
    return origin.uri, origin.url


def note_html(account: Account) -> str:
    return paragraph(absolute_links(render_post_text(account.bio))) if account.bio else ""


def _fields(account: Account) -> list[dict[str, Any]]:
    """Profile links as Mastodon profile fields: the link's title is the name, the link the value."""
    fields = []
    for link in account.links or ():
        url = str(link.get("url", ""))
        href = escape(url, quote=True)
        text = escape(url.split("://", 1)[-1])
        fields.append(
            {
                "name": str(link.get("title") or text),
                "value": f'<a href="{href}" rel="nofollow noopener noreferrer me" target="_blank">{text}</a>',
                "verified_at": None,
            }
        )
    return fields


def source_fields(account: Account) -> list[dict[str, Any]]:
    return [
        {"name": str(link.get("title") or ""), "value": str(link.get("url", "")), "verified_at": None}
        for link in account.links or ()
    ]


def render_account(
    viewer: Account | None, account: Account, origins: Mapping[int, Origin] | None = None
) -> dict[str, Any]:
    """One Mastodon Account. ``viewer`` is accepted for symmetry with the other renderers (nothing in an
    Account depends on who looks). A remote account's ``acct`` is ``user@server`` and its ``url`` its page
    there: pass ``origins`` (:func:`account_origins` of a page) to save the query this costs otherwise."""
    avatar = absolute(account.avatar.url if account.avatar else MISSING_AVATAR)
    header = absolute(MISSING_HEADER)
    uri, url = account_links(account, origins)
    return {
        "id": str(account.pk),
        "username": account.handle,
        "acct": account.acct,
        "display_name": account.display_name,
        "locked": account.is_private,
        "bot": False,
        "discoverable": not account.is_private,
        "indexable": not account.is_private,
        "group": False,
        "noindex": account.is_private,
        "created_at": iso(account.created_at),
        "note": note_html(account),
        "url": url,
        "uri": uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "avatar_description": "",
        "header": header,
        "header_static": header,
        "header_description": "",
        "followers_count": account.followers_count,
        "following_count": account.following_count,
        "statuses_count": account.posts_count,
        "last_status_at": None,
        "hide_collections": False,
        "emojis": [],
        "fields": _fields(account),
        "roles": [],
        "spool": {"verified": account.is_verified, "private": account.is_private},
    }


def render_accounts(viewer: Account | None, accounts: Sequence[Account]) -> list[dict[str, Any]]:
    origins = account_origins(a.pk for a in accounts if not a.is_local)
    return [render_account(viewer, account, origins) for account in accounts]


def render_credential_account(account: Account) -> dict[str, Any]:
    """The signed-in person's own Account with ``source`` (plain-text bio and fields, posting defaults) and
    ``role`` (one query: pending follow requests)."""
    data = render_account(account, account)
    data["source"] = {
        "note": account.bio,
        "fields": source_fields(account),
        "privacy": "private" if account.is_private else "public",
        "sensitive": False,
        "language": None,
        "discoverable": not account.is_private,
        "indexable": not account.is_private,
        "hide_collections": False,
        "quote_policy": "nobody" if account.is_private else "public",
        "follow_requests_count": FollowRequest.objects.filter(
            target=account, requester__is_active=True
        ).count(),
    }
    data["role"] = {"id": "-99", "name": "", "color": "", "permissions": "0", "highlighted": False}
    return data
