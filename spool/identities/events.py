"""Events published by the social-graph services (see :mod:`spool.core.events`)."""

from __future__ import annotations

from dataclasses import dataclass

from spool.core.events import Event


@dataclass(frozen=True)
class Followed(Event):
    follower_id: int
    followee_id: int


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
