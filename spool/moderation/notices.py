"""What the person affected reads: the actions moderators took against them (each a "notice" with its note,
what it concerned, and the appeal they may file)."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db.models import QuerySet

from spool.core.errors import NotFound
from spool.core.pagination import Page, page_before
from spool.identities.models import Account
from spool.moderation.models import Action

SUSPENDED_SALT = "spool.moderation.suspended"
SUSPENDED_TOKEN_AGE = 60 * 60  # seconds a suspended person's appeal page stays usable after signing in


def notices_of(account: Account) -> QuerySet[Action]:
    return Action.objects.filter(account=account).select_related("appeal")


def list_notices(account: Account, cursor: int | None, *, limit: int = 20) -> Page[Action]:
    """Newest first, with each notice's appeal loaded (one query)."""
    return page_before(notices_of(account), cursor, limit)


def access_notice(account: Account, action_id: Any) -> Action:
    """The action ``action_id`` if it fell on ``account``; ``NotFound`` otherwise (also for others')."""
    try:
        number = int(action_id)
    except (TypeError, ValueError):
        raise NotFound("Not found.") from None
    action = notices_of(account).filter(pk=number).first()
    if action is None:
        raise NotFound("Not found.")
    return action


def appeal_of(action: Action) -> Any:
    """The action's appeal or ``None`` (without a query when ``select_related`` loaded it)."""
    try:
        return action.appeal
    except Action.appeal.RelatedObjectDoesNotExist:
        return None


def suspended_token(account: Account) -> str:
    """A signed, short-lived stand-in for a session: lets a suspended person (who cannot sign in) read
    their notice and appeal it right after proving their password."""
    return signing.dumps(account.pk, salt=SUSPENDED_SALT)


def suspended_account(token: str) -> Account:
    """The suspended account a token from :func:`suspended_token` names; ``NotFound`` when the token is
    bad, expired or the account is no longer suspended."""
    try:
        account_id = signing.loads(token or "", salt=SUSPENDED_SALT, max_age=SUSPENDED_TOKEN_AGE)
    except signing.BadSignature:
        raise NotFound("This link has expired. Sign in again.") from None
    account = Account.objects.filter(pk=account_id, suspended_at__isnull=False).first()
    if account is None:
        raise NotFound("This link has expired. Sign in again.")
    return account
