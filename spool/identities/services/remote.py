"""Accounts that stand for actors on other servers (``domain`` set, no user).

Federation calls these when it learns of a remote actor or of a change to one; everything else treats remote
accounts as ordinary Accounts (follows, blocks, likes go through the same graph and post services).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from spool.core.errors import ValidationError
from spool.core.events import publish
from spool.identities.events import ProfileUpdated
from spool.identities.models import Account

HANDLE_MAX = Account._meta.get_field("handle").max_length or 30
NAME_MAX = Account._meta.get_field("display_name").max_length or 50
BIO_MAX = Account._meta.get_field("bio").max_length or 150
MAX_LINKS = 5


def _cut(value: str, limit: int) -> str:
    value = " ".join((value or "").split()) if limit <= NAME_MAX else (value or "").strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def upsert_remote_account(
    *,
    handle: str,
    domain: str,
    display_name: str = "",
    bio: str = "",
    is_private: bool = False,
    links: list[dict[str, str]] | None = None,
) -> Account:
    """Create or refresh the Account for ``handle@domain`` (case-insensitive match).

    Checks: ``domain`` non-empty; ``handle`` 1-30 characters without ``@`` or spaces (``ValidationError``
    ``remote_handle``). Display name, bio and links are cut to Spool's limits (name 50, bio 150, 5 links)
    — a fediverse profile may hold more than Spool shows. Publishes ``ProfileUpdated`` when an existing
    account changed. Never touches local accounts."""
    domain = domain.strip().lower()
    if not domain:
        raise ValidationError("A remote account needs a domain.", code="remote_domain", field="domain")
    if not handle or len(handle) > HANDLE_MAX or any(ch in handle for ch in "@ /\n\t"):
        raise ValidationError(
            f"Spool can't hold the fediverse handle {handle!r}.", code="remote_handle", field="handle"
        )
    fields = {
        "display_name": _cut(display_name, NAME_MAX),
        "bio": _cut(bio, BIO_MAX),
        "is_private": bool(is_private),
        "links": list(links or [])[:MAX_LINKS],
    }
    with transaction.atomic():
        account = (
            Account.objects.select_for_update()
            .annotate(lower_handle=Lower("handle"))
            .filter(lower_handle=handle.lower(), domain=domain)
            .first()
        )
        if account is None:
            try:
                with transaction.atomic():
                    return Account.objects.create(handle=handle, domain=domain, **fields)
            except IntegrityError:  # created concurrently: fall through to the update
                account = Account.objects.get(handle__iexact=handle, domain=domain)
        changed = [name for name, value in fields.items() if getattr(account, name) != value]
        if changed:
            for name in changed:
                setattr(account, name, fields[name])
            account.save(update_fields=changed)
            publish(ProfileUpdated(account_id=account.pk))
    return account
