"""How search follows the posts: each write that changes a post's words enqueues the indexing task once the
transaction has committed (connected in ``SearchConfig.ready``)."""

from __future__ import annotations

from spool.core.batching import enqueue
from spool.core.events import subscribe
from spool.posts.events import PostCreated, PostDeleted, PostEdited


def on_post_changed(event: PostCreated | PostEdited | PostDeleted) -> None:
    from spool.search.tasks import index_post

    enqueue(index_post, event.post_id)


def connect() -> None:
    subscribe(PostCreated, on_post_changed, after_commit=True)
    subscribe(PostEdited, on_post_changed, after_commit=True)
    subscribe(PostDeleted, on_post_changed, after_commit=True)
