"""Remote actors: fetched, checked and kept as ``Account`` + ``RemoteActor`` rows; keys looked up for
signature checks (refetching once when a key may have rotated)."""

from __future__ import annotations

import time
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from spool.core.compiled import compiled
from spool.core.errors import SpoolError
from spool.federation import ids
from spool.federation.fetch import RemoteError, fetch_object
from spool.federation.models import LocalKey, RemoteActor
from spool.federation.policy import domain_of
from spool.federation.remembered import remembered
from spool.federation.vocab import Actor, VocabError
from spool.federation.webfinger import lookup
from spool.identities.models import Account
from spool.identities.services.remote import upsert_remote_account
from spool.media.models import RemoteImage
from spool.media.remote import reference_name, remember_image


def store_actor(actor: Actor, handle_domain: str = "") -> Account:
    """Create or refresh the Account and RemoteActor rows for a fetched actor document.

    The account's server is the actor's host, except that ``handle_domain`` — the server whose WebFinger
    named this actor — is taken when the actor is on a subdomain of it (Threads answers for
    ``@mosseri@threads.net`` with ``https://www.threads.net/ap/users/mosseri/``), so the handle people use
    and the rules set for that server apply. A known actor keeps the server it has."""
    host = domain_of(actor.id)
    known = RemoteActor.objects.filter(uri=actor.id).select_related("account").first()
    if known is not None and known.account.handle.lower() == actor.username.lower():
        domain = known.account.domain
    elif handle_domain and host.endswith(f".{handle_domain}"):
        domain = handle_domain
    else:
        domain = host
    try:
        with transaction.atomic():
            account = upsert_remote_account(
                handle=actor.username,
                domain=domain,
                display_name=actor.name,
                bio=actor.summary,
                is_private=actor.manually_approves,
                links=actor.links,
            )
            RemoteActor.objects.filter(uri=actor.id).exclude(account_id=account.pk).delete()
            RemoteActor.objects.update_or_create(
                account_id=account.pk,
                defaults={
                    "uri": actor.id,
                    "inbox": actor.inbox,
                    "shared_inbox": actor.shared_inbox,
                    "followers_url": actor.followers,
                    "url": actor.url,
                    "key_id": actor.key_id,
                    "public_key_pem": actor.public_key_pem,
                    "fetched_at": timezone.now(),
                },
            )
            _remember_images(account, actor)
    except SpoolError as exc:
        raise RemoteError(str(exc), "unusable_actor") from exc
    return account


def _remember_images(account: Account, actor: Actor) -> None:
    """Keep the actor's avatar and header as references (fetched on first view). The avatar is shown
    wherever ``Account.avatar`` is: its name points at the lazily fetched copy."""
    avatar = remember_image(actor.icon_url, RemoteImage.Kind.AVATAR, account_id=account.pk)
    remember_image(actor.image_url, RemoteImage.Kind.HEADER, account_id=account.pk)
    if avatar is None:
        RemoteImage.objects.filter(account_id=account.pk, kind=RemoteImage.Kind.AVATAR).delete()
    name = reference_name(avatar.pk) if avatar is not None else ""
    if account.avatar.name != name:
        Account.objects.filter(pk=account.pk).update(avatar=name)
        account.avatar.name = name


def fetch_actor(uri: str, handle_domain: str = "") -> Account:
    """Fetch the actor at ``uri`` and store it under the ``id`` it gives (checked by :func:`fetch_object`)."""
    data = fetch_object(uri)
    try:
        actor = Actor.from_json(data)
    except VocabError as exc:
        raise RemoteError(f"Not a usable actor: {exc}", "bad_actor") from exc
    return store_actor(actor, handle_domain or _www_parent(actor))


def _www_parent(actor: Actor) -> str:
    """For an actor first met on a ``www.`` host (in an activity, not through its handle): the bare domain,
    when that domain's WebFinger names this actor for its username (Threads answers for
    ``@mosseri@threads.net`` with ``https://www.threads.net/ap/users/mosseri/``), so the account gets the
    handle it is known by; otherwise empty (the host is the server)."""
    host = domain_of(actor.id)
    if not host.startswith("www.") or RemoteActor.objects.filter(uri=actor.id).exists():
        return ""
    bare = host.removeprefix("www.")
    try:
        return bare if lookup(actor.username, bare) == actor.id else ""
    except RemoteError:
        return ""


def account_for_actor(uri: str, *, refresh: bool = False, handle_domain: str = "") -> Account:
    """The Account for actor id ``uri``: ours, one we know, or fetched now (raises :class:`RemoteError`);
    ``handle_domain`` is the server whose WebFinger gave ``uri`` (see :func:`store_actor`)."""
    local_id = ids.local_account_id(uri)
    if local_id is not None:
        account = Account.objects.filter(pk=local_id, domain="").first()
        if account is None:
            raise RemoteError("No such local actor.", "not_found")
        return account
    if not refresh:
        known = known_account(uri)
        if known is not None:
            return known
    return fetch_actor(uri, handle_domain)


def known_account(uri: str) -> Account | None:
    """The Account for actor id ``uri`` if we already know it (never fetches)."""
    return remembered(("account", uri), lambda: _known_account(uri))


def _known_account(uri: str) -> Account | None:
    local_id = ids.local_account_id(uri)
    if local_id is not None:
        found: list[Any] = _LOCAL_ACCOUNT.models(id=local_id)
        return cast(Account, found[0]) if found else None
    known: list[Any] = _KNOWN_ACTOR.models(uri=uri)
    return cast(Account, known[0].account) if known else None


# The reads above, compiled once per process (the inbox resolves the authors and mentions of nearly every
# activity, :mod:`spool.core.compiled`).
_LOCAL_ACCOUNT = compiled(lambda id: Account.objects.filter(pk=id, domain="")[:1], ints=("id",))
_KNOWN_ACTOR = compiled(
    lambda uri: RemoteActor.objects.filter(uri=uri).select_related("account")[:1], strs=("uri",)
)


def remote_actor(account: Account) -> RemoteActor | None:
    return RemoteActor.objects.filter(account_id=account.pk).first()


KEY_TTL = 60.0  # seconds a key found is kept in this process
KEYS_KEPT = 10_000
_keys: dict[str, tuple[float, tuple[str, str]]] = {}


def lookup_key(key_id: str, refresh: bool) -> tuple[str, str] | None:
    """(public key PEM, actor id) for ``key_id``; fetches the actor when unknown or when ``refresh``.

    What was found is kept in this process for ``KEY_TTL`` seconds, so a busy inbox does not read the
    same few keys for every POST. A rotated key costs nothing extra: the signature does not verify with the
    kept key, and the verifier asks again with ``refresh``, which refetches the actor and keeps the new
    key."""
    now = time.monotonic()
    kept = _keys.get(key_id)
    if kept is not None and not refresh and now - kept[0] < KEY_TTL:
        return kept[1]
    found = _find_key(key_id, refresh)
    if found is None:
        _keys.pop(key_id, None)
    else:
        if len(_keys) >= KEYS_KEPT:
            _keys.clear()
        _keys[key_id] = (now, found)
    return found


def forget_keys() -> None:
    """Drop the keys kept in this process (tests: the database they came from is gone)."""
    _keys.clear()


def _find_key(key_id: str, refresh: bool) -> tuple[str, str] | None:
    local_id = ids.local_account_id(key_id)
    if local_id is not None:
        key = LocalKey.objects.filter(account_id=local_id).first()
        return (key.public_key_pem, ids.actor_uri(local_id)) if key else None
    known = RemoteActor.objects.filter(key_id=key_id).first()
    if known is not None and not refresh:
        return known.public_key_pem, known.uri
    try:
        account = fetch_actor(key_id.split("#", 1)[0])
    except RemoteError:
        return None
    fresh = RemoteActor.objects.filter(account_id=account.pk).first()
    if fresh is None or fresh.key_id != key_id:
        return None
    return fresh.public_key_pem, fresh.uri
