"""Moderation's reactions to other apps' events."""

from __future__ import annotations

from spool.core.batching import enqueue
from spool.core.events import subscribe
from spool.posts.events import PostCreated


def connect() -> None:
    # After commit: the score reads the committed post and is computed in the worker.
    subscribe(PostCreated, on_post_created, after_commit=True)


def on_post_created(event: PostCreated) -> None:
    from spool.moderation.tasks import score_post

    enqueue(score_post, event.post_id)
