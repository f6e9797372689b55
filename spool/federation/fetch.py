"""Fetching ActivityStreams documents from other servers, signed, through ``spool.core.fetch``.

Every fetch goes through the SSRF-safe fetcher (public addresses only, size and time limits, redirects
re-checked); only in development mode (debug on) are loopback addresses and plain http allowed. GETs are
signed by the instance's own service actor key so servers in "secure mode" answer.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from spool.core.fetch import FetchError, fetch
from spool.federation.policy import dev_mode, domain_of, is_blocked_domain

AS_TYPES = ("application/activity+json", "application/ld+json", "application/json", "application/jrd+json")
ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


class RemoteError(Exception):
    """A remote document could not be had; ``code`` says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check_url(url: str) -> str:
    """Refuse URLs we never fetch: not https (http only in development mode), or on a blocked domain."""
    parts = urlsplit(url)
    allowed = ("https", "http") if dev_mode() else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise RemoteError(f"Not a fetchable URL: {url[:200]}", "bad_url")
    if is_blocked_domain(domain_of(url)):
        raise RemoteError("That server is blocked.", "blocked_domain")
    return url


def get_json(url: str, *, signed: bool = True, accept: str = ACCEPT) -> dict[str, Any]:
    """GET ``url`` as JSON (an ActivityStreams document or a JRD), signed by the instance actor."""
    from spool.federation.instance_actor import instance_signer

    check_url(url)
    try:
        result = fetch(
            url,
            accept=AS_TYPES,
            headers={"Accept": accept},
            sign=instance_signer() if signed else None,
            allow_private=True if dev_mode() else None,
            max_bytes=settings.SPOOL.federation_max_body_bytes,
        )
        data = json.loads(result.body)
    except FetchError as exc:
        raise RemoteError(str(exc), exc.code) from exc
    except ValueError as exc:
        raise RemoteError("The answer is not JSON.", "bad_json") from exc
    if not isinstance(data, dict):
        raise RemoteError("The answer is not a JSON object.", "bad_json")
    return data


def fetch_object(uri: str) -> dict[str, Any]:
    """Fetch an ActivityStreams object and check it is what it says: a server may not speak for another, so
    a document whose ``id`` is on another host than ``uri`` is fetched again from its ``id`` and taken only
    when that host serves it under that same ``id`` (as Mastodon does; Threads is reported to name actors
    it serves at ``threads.net`` by ``www.threads.net`` URLs)."""
    data = get_json(uri)
    object_id = data.get("id")
    if isinstance(object_id, str) and domain_of(object_id) != domain_of(uri):
        data = get_json(object_id)
        if data.get("id") != object_id:
            raise RemoteError("The fetched object's id is not on the server that served it.", "spoofed")
    elif not isinstance(object_id, str):
        raise RemoteError("The fetched object has no id.", "spoofed")
    return data
