"""Who may message whom, decided in one place for starting a conversation, re-opening a declined one and
adding someone to a group.

The rules, in order (the first that applies decides):

1. A block either way: no conversation at all.
2. The recipient's setting "no one": refused.
3. The recipient follows the sender: the conversation lands in their Primary inbox.
4. The recipient's setting "people I follow": refused.
5. The recipient is under 18: refused (no requests from strangers).
6. Otherwise a **request**: it lands in Requests (or Hidden when it looks like spam), and it counts against
   the sender's daily cap on requests.

Every refusal gives the same error, so a person cannot tell a block from a setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q

from spool.accounts.models import DirectMessagePolicy
from spool.accounts.services import is_under_18
from spool.core.errors import Forbidden
from spool.core.ratelimit import Limit
from spool.identities.models import Account, Block
from spool.identities.relationships import relationships

REQUEST_LIMIT = Limit("message_requests", 20, timedelta(hours=24))


@dataclass(frozen=True)
class Verdict:
    """How a message from the sender reaches the recipient: accepted directly or as a request."""

    request: bool


def cannot_message(recipient: Account) -> Forbidden:
    return Forbidden(f"@{recipient.handle} isn't accepting messages from you.", code="cannot_message")


def policy_of(account: Account) -> tuple[str, bool]:
    """The account's DM setting and whether it is under 18 (remote accounts: everyone, adult)."""
    user = account.user if account.user_id else None
    if user is None:
        return DirectMessagePolicy.EVERYONE, False
    return user.dm_policy, is_under_18(user)


def check_can_message(sender: Account, recipient: Account) -> Verdict:
    """Apply the rules above; raise ``Forbidden`` (code ``cannot_message``) when refused."""
    if not recipient.is_active or recipient.pk == sender.pk:
        raise cannot_message(recipient)
    rel = relationships(recipient, [sender.pk])[sender.pk]
    if rel.blocking or rel.blocked_by:
        raise cannot_message(recipient)
    policy, minor = policy_of(recipient)
    if policy == DirectMessagePolicy.NOBODY:
        raise cannot_message(recipient)
    if rel.following:
        return Verdict(request=False)
    if policy == DirectMessagePolicy.FOLLOWING or minor:
        raise cannot_message(recipient)
    return Verdict(request=True)


def check_can_add(adder: Account, person: Account) -> None:
    """Only people who follow you can be added by you to a group (and not across a block, nor when their
    setting is "no one")."""
    if not person.is_active or person.pk == adder.pk:
        raise Forbidden(f"@{person.handle} can't be added to this group.", code="cannot_add")
    rel = relationships(person, [adder.pk])[adder.pk]
    policy, _ = policy_of(person)
    if rel.blocking or rel.blocked_by or not rel.following or policy == DirectMessagePolicy.NOBODY:
        raise Forbidden(
            f"@{person.handle} can't be added to this group: only people who follow you can be added.",
            code="cannot_add",
        )


def blocked_between(a: Account, b_id: int) -> bool:
    """A block either way between ``a`` and account ``b_id`` (one indexed query)."""
    return Block.objects.filter(
        Q(blocker_id=a.pk, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a.pk)
    ).exists()
