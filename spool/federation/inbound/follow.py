"""``Follow``: a remote actor follows a local account (a request when the profile is private).

The ``Accept`` is sent by the event handler when the follow edge appears (now, or when the request is
approved); a follow that already existed is accepted again here, since the remote side evidently lost it.
Profiles that do not federate, and blocks, answer ``Reject``."""

from __future__ import annotations

from typing import Any

from spool.core.errors import SpoolError
from spool.federation.context import applying
from spool.federation.delivery import deliver, inboxes_of
from spool.federation.inbound.common import local_target
from spool.federation.outbound.accept import accept
from spool.federation.outbound.reject import reject
from spool.federation.policy import federating
from spool.identities.models import Account
from spool.identities.services import follow_account_outcome


def handle(activity: dict[str, Any], actor: Account) -> str:
    target = local_target(activity.get("object"))
    if target is None:
        return "ignored: not one of our accounts"
    if not federating(target.pk):
        deliver(reject(target.pk, activity), target, inboxes_of([actor]))
        return "rejected: the profile does not federate"
    try:
        with applying(activity):  # the Accept of a new follow names this very activity
            # Whether it followed already is found by the service, under its lock (no read of our own).
            already = follow_account_outcome(actor, target).already_following
    except SpoolError:
        deliver(reject(target.pk, activity), target, inboxes_of([actor]))
        return "rejected"
    if already:
        deliver(accept(target.pk, activity), target, inboxes_of([actor]))
    return "done"
