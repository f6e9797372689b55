"""Events published by the post services (see :mod:`spool.core.events`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from spool.core.events import Event


@dataclass(frozen=True)
class PostCreated(Event):
    post_id: int
    author_id: int
    reply_to_id: int | None = None
    reply_to_author_id: int | None = None
    quote_of_id: int | None = None
    quote_of_author_id: int | None = None
    mentioned_ids: tuple[int, ...] = field(default_factory=tuple)
    # The post's text as written (``None``: not given): handlers that read it need not query the post.
    text: str | None = None


@dataclass(frozen=True)
class PostEdited(Event):
    post_id: int
    author_id: int
    new_mentioned_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PostDeleted(Event):
    post_id: int
    author_id: int


@dataclass(frozen=True)
class PostLiked(Event):
    post_id: int
    post_author_id: int
    account_id: int


@dataclass(frozen=True)
class PostUnliked(Event):
    post_id: int
    account_id: int


@dataclass(frozen=True)
class PostReposted(Event):
    repost_id: int
    post_id: int
    post_author_id: int
    account_id: int


@dataclass(frozen=True)
class RepostUndone(Event):
    post_id: int
    account_id: int
    repost_id: int | None = None


@dataclass(frozen=True)
class PollVoted(Event):
    post_id: int
    post_author_id: int
    voter_id: int
    option_position: int


@dataclass(frozen=True)
class PollEnded(Event):
    post_id: int
    author_id: int
    voter_ids: tuple[int, ...] = field(default_factory=tuple)
