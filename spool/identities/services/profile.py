"""Editing a profile: text fields, links, privacy, avatar."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q

from spool.core.errors import NotFound, ValidationError
from spool.core.events import publish
from spool.identities.events import ProfileUpdated
from spool.identities.models import Account, FollowRequest
from spool.identities.services._common import lock_account, lock_accounts, require_active
from spool.identities.services.graph import approve_all_follow_requests
from spool.identities.validation import clean_bio, clean_display_name, clean_links
from spool.media.images import process_avatar


def update_profile(
    account: Account,
    *,
    display_name: str | None = None,
    bio: str | None = None,
    links: list[Any] | None = None,
    is_private: bool | None = None,
) -> Account:
    """Change the given fields (``None`` leaves a field alone). Everything is validated before anything is
    written, so one bad field changes nothing. Making a private profile public approves every pending follow
    request. Locks the account's row; publishes ``ProfileUpdated`` (and the approval events)."""
    require_active(account)
    changes: dict[str, Any] = {}
    if display_name is not None:
        changes["display_name"] = clean_display_name(display_name)
    if bio is not None:
        changes["bio"] = clean_bio(bio)
    if links is not None:
        changes["links"] = clean_links(links)
    if is_private is not None:
        if not isinstance(is_private, bool):
            raise ValidationError("is_private must be true or false.", field="is_private")
        changes["is_private"] = is_private
    with transaction.atomic():
        if changes.get("is_private") is False:
            # Going public may approve requests: lock the requesters too, all in ID order, before anything.
            requesters = FollowRequest.objects.filter(target_id=account.pk).values("requester_id")
            locked = lock_accounts(
                Account.objects.filter(Q(pk=account.pk) | Q(pk__in=requesters)).values("pk")
            )
            if account.pk not in locked:
                raise NotFound()
            current = locked[account.pk]
        else:
            current = lock_account(account)
        going_public = current.is_private and changes.get("is_private") is False
        for name, value in changes.items():
            setattr(account, name, value)
        if changes:
            # Only the edited fields are written: counters on this instance may be stale.
            account.save(update_fields=list(changes))
        if going_public:
            approve_all_follow_requests(account)
            account.refresh_from_db(fields=["followers_count"])
        if changes:
            publish(ProfileUpdated(account_id=account.pk))
    return account


def set_avatar(account: Account, upload: Any) -> Account:
    """Replace the avatar with ``upload`` after validating it (JPEG/PNG/WebP/GIF by content, size limit,
    pixel limit) and cropping it to a square of ``SPOOL.avatar_size`` pixels with metadata removed. The old
    file is deleted once the change is committed. Publishes ``ProfileUpdated``."""
    require_active(account)
    image = process_avatar(upload)  # slow work outside the transaction
    field = Account._meta.get_field("avatar")
    storage = field.storage
    name = storage.save(field.generate_filename(account, f"{account.pk}-{image.file.name}"), image.file)
    try:
        with transaction.atomic():
            current = lock_account(account)
            old = current.avatar.name
            account.avatar.name = name
            account.save(update_fields=["avatar"])
            publish(ProfileUpdated(account_id=account.pk))
            if old:
                transaction.on_commit(lambda: _delete_file(storage, old))
    except BaseException:
        _delete_file(storage, name)
        raise
    return account


def remove_avatar(account: Account) -> Account:
    """Clear the avatar; its file is deleted after commit. Publishes ``ProfileUpdated`` when there was one."""
    with transaction.atomic():
        current = lock_account(account)
        old = current.avatar.name
        account.avatar = None
        account.save(update_fields=["avatar"])
        if old:
            storage = Account._meta.get_field("avatar").storage
            transaction.on_commit(lambda: _delete_file(storage, old))
            publish(ProfileUpdated(account_id=account.pk))
    return account


def _delete_file(storage: Storage, name: str) -> None:
    """Delete a stored file; a file already gone is not an error (deletion is retried by nobody)."""
    with contextlib.suppress(FileNotFoundError):
        storage.delete(name)
