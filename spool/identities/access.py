"""Reading accounts: the chokepoint every front door uses to look up a profile and decide what it shows.

Missing, deactivated and blocked-either-way accounts all give the same ``NotFound``, so a blocked person
cannot tell a block from a deleted account.
"""

from __future__ import annotations

from django.db.models import Q

from spool.core.errors import NotFound
from spool.core.pagination import Page, page_before
from spool.identities.models import Account, Block, Follow, FollowRequest, exclude_blocked, muted_ids

__all__ = [
    "access_account",
    "access_account_by_id",
    "access_blocked_account",
    "can_see_posts_of",
    "exclude_blocked",
    "muted_ids",
]


def access_account(viewer: Account | None, handle: str) -> Account:
    """The account with ``handle`` (case-insensitive, a leading ``@`` ignored; ``user@server`` names a remote
    account, see ``AccountQuerySet.by_acct``) that ``viewer`` may see;
    ``NotFound`` when it is missing, deactivated, or blocks or is blocked by ``viewer``. A viewer always finds
    themselves while active."""
    if not isinstance(handle, str) or not handle.strip():
        raise NotFound()
    account = Account.objects.visible_to(viewer).by_acct(handle.strip()).first()
    if account is None:
        raise NotFound()
    return account


def access_account_by_id(viewer: Account | None, account_id: int) -> Account:
    """Like :func:`access_account`, by ID."""
    account = Account.objects.visible_to(viewer).filter(pk=account_id).first()
    if account is None:
        raise NotFound()
    return account


def access_blocked_account(viewer: Account, handle: str) -> Account:
    """An account ``viewer`` blocks, found by handle although blocks hide it — so it can be unblocked.
    ``NotFound`` unless ``viewer`` blocks it."""
    account = (
        Account.objects.active()
        .by_acct(handle.strip() if isinstance(handle, str) else "")
        .filter(pk__in=Block.objects.filter(blocker=viewer).values("blocked_id"))
        .first()
    )
    if account is None:
        raise NotFound()
    return account


def can_see_posts_of(viewer: Account | None, account: Account) -> bool:
    """Whether ``viewer`` may see ``account``'s posts and follower lists: never when the account is
    deactivated or a block stands between them; for a private profile only its followers and itself."""
    if not account.is_active:
        return False
    if viewer is not None and viewer.pk == account.pk:
        return True
    if (
        viewer is not None
        and Block.objects.filter(
            Q(blocker=viewer, blocked=account) | Q(blocker=account, blocked=viewer)
        ).exists()
    ):
        return False
    if not account.is_private:
        return True
    return viewer is not None and Follow.objects.filter(follower=viewer, followee=account).exists()


def pending_follow_requests(account: Account, cursor: int | None, limit: int = 20) -> Page[FollowRequest]:
    """Requests to follow ``account`` from active profiles, newest first (one indexed query)."""
    pending = FollowRequest.objects.filter(target=account, requester__is_active=True).select_related(
        "requester"
    )
    return page_before(pending, cursor, limit)
