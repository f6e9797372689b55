"""Events published by the social-graph services (see :mod:`spool.core.events`)."""

from __future__ import annotations

from dataclasses import dataclass

from spool.core.events import Event


@dataclass(frozen=True)
class Followed(Event):
    """A new follow edge. ``via_request`` is true when it came from an approved follow request."""

    follower_id: int
    followee_id: int
    via_request: bool = False


@dataclass(frozen=True)
class Unfollowed(Event):
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class FollowRequested(Event):
    requester_id: int
    target_id: int


@dataclass(frozen=True)
class FollowRequestWithdrawn(Event):
    requester_id: int
    target_id: int


@dataclass(frozen=True)
class Blocked(Event):
    blocker_id: int
    blocked_id: int


@dataclass(frozen=True)
class AccountDeleted(Event):
    account_id: int


# --- Added by the accounts room (issue 2) -------------------------------------------------------------


@dataclass(frozen=True)
class FollowRequestApproved(Event):
    """The target approved the request (or made their profile public). ``Followed`` with
    ``via_request=True`` is published for the new follow as well."""

    requester_id: int
    target_id: int


@dataclass(frozen=True)
class FollowRequestDeclined(Event):
    """The target declined the request, or a block between the two removed it."""

    requester_id: int
    target_id: int


@dataclass(frozen=True)
class Unblocked(Event):
    blocker_id: int
    blocked_id: int


@dataclass(frozen=True)
class ProfileUpdated(Event):
    account_id: int


@dataclass(frozen=True)
class AccountDeactivated(Event):
    account_id: int


@dataclass(frozen=True)
class AccountReactivated(Event):
    account_id: int


@dataclass(frozen=True)
class AccountDeleting(Event):
    """Published inside the deleting transaction *before* any row is removed. Higher layers subscribe (in the
    transaction, not after commit) to keep their derived data exact while the rows still exist — e.g. posts
    lowering ``likes_count``/``reposts_count``/``replies_count``/``quotes_count`` of other people's posts the
    account liked, reposted, replied to or quoted. Files of rows that cascade away are removed by
    ``delete_account`` itself, after commit."""

    account_id: int
