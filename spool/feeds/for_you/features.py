"""What the ranker knows about one candidate post, as plain values (no database here: see
:mod:`spool.feeds.for_you.gather` for how they are read, a page of candidates at a time)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Features:
    """One candidate post as the ranker sees it for one viewer.

    Interaction counts are the post's own; ``affinity`` counts the viewer's likes, replies and reposts to the
    author and ``topic_interest`` their likes of and posts in the topic (both over ``AFFINITY_DAYS``).
    ``author_feedback``/``topic_feedback`` are net steering counts (show more +1, show less -1, not
    interested -2 for the author and -1 for the topic). ``asked_more``/``asked_less`` are the Dear Algo
    terms the post matches."""

    post_id: int
    author_id: int
    author_handle: str
    age_hours: float
    topic_id: int | None = None
    topic_name: str = ""
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    follows_author: bool = False
    affinity: int = 0
    follows_topic: bool = False
    topic_interest: int = 0
    trending_topic: bool = False
    trending_post: bool = False
    liked_by: tuple[str, ...] = ()
    reposted_by: tuple[str, ...] = ()
    new_voice: bool = False
    community: str = ""  # the name of the viewer's community the post's topic belongs to
    author_feedback: int = 0
    topic_feedback: int = 0
    asked_more: tuple[str, ...] = ()
    asked_less: tuple[str, ...] = ()

    @property
    def engaged_by(self) -> int:
        """How many people the viewer follows liked or reposted the post (those known)."""
        return len(set(self.liked_by) | set(self.reposted_by))
