"""Who may fetch our ActivityStreams documents (actors, posts, outbox, followers, following, featured).

By default anyone may, except that a request signed by a key on a blocked server is refused (403). In
secure mode (``SPOOL.federation_secure_mode``, Mastodon's "authorized fetch") every such GET must carry a
valid HTTP signature (draft-cavage over ``(request-target) host date``; 401 otherwise) from a server that
is not blocked (403) — so a blocked server cannot read public posts by fetching them anonymously.

The instance actor (``/ap/actor``, whose document holds the site's public key) stays fetchable unsigned,
as do WebFinger and NodeInfo: a server verifying our signed fetch must be able to read our key without a
signature of its own, or two servers in secure mode would wait on each other forever. Our own fetches are
always signed by the instance actor (:func:`spool.federation.fetch.get_json`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from spool.federation.actors import lookup_key
from spool.federation.policy import domain_of, is_blocked_domain
from spool.federation.signatures import SignatureError, parse_signature, verify_request


class FetchRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_fetch(method: str, path: str, headers: Mapping[str, str]) -> None:
    """Raise :class:`FetchRefused` when this GET of one of our documents may not be answered (see the
    module docstring). ``headers`` have lower-case names; ``path`` includes the query string."""
    key_id = parse_signature(headers.get("signature", "")).get("keyId", "")
    if key_id and is_blocked_domain(domain_of(key_id)):
        raise FetchRefused(403, "blocked_domain", "This server does not answer yours.")
    if not settings.SPOOL.federation_secure_mode:
        return
    try:
        verified = verify_request(method, path, headers, None, lookup_key)
    except SignatureError as exc:
        raise FetchRefused(401, exc.code, f"Sign this request: {exc}") from exc
    if is_blocked_domain(domain_of(verified.owner)):
        raise FetchRefused(403, "blocked_domain", "This server does not answer yours.")
