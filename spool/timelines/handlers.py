"""How the Following timelines react to posts and the social graph (connected in ``TimelinesConfig.ready``).
Every handler runs after commit and only enqueues a task (batched when many are, see
:mod:`spool.core.batching`)."""

from __future__ import annotations

from spool.core.batching import enqueue
from spool.core.events import subscribe
from spool.identities.events import AccountDeleted, Followed
from spool.posts.events import PostCreated, PostReposted
from spool.timelines import tasks


def on_post_created(event: PostCreated) -> None:
    if event.reply_to_id is None:
        enqueue(tasks.fan_out_post, event.post_id)


def on_post_reposted(event: PostReposted) -> None:
    enqueue(tasks.fan_out_repost, event.repost_id)


def on_followed(event: Followed) -> None:
    enqueue(tasks.backfill, event.follower_id, event.followee_id)


def on_account_deleted(event: AccountDeleted) -> None:
    tasks.drop_timeline.delay(event.account_id)


def connect() -> None:
    subscribe(PostCreated, on_post_created, after_commit=True)
    subscribe(PostReposted, on_post_reposted, after_commit=True)
    subscribe(Followed, on_followed, after_commit=True)
    subscribe(AccountDeleted, on_account_deleted, after_commit=True)
