"""Background work of the Following timelines. Thin: each task takes IDs and calls :mod:`fanout`; all are
idempotent (a store ignores an entry it already holds), so a retry changes nothing."""

from __future__ import annotations

from celery import shared_task

from spool.core.batching import runs_in_batches
from spool.timelines import fanout
from spool.timelines.stores import get_store


@shared_task(name="spool.timelines.tasks.fan_out_post", ignore_result=True)
def fan_out_post(post_id: int) -> int:
    return fanout.fan_out_post(post_id)


@shared_task(name="spool.timelines.tasks.fan_out_repost", ignore_result=True)
def fan_out_repost(repost_id: int) -> int:
    return fanout.fan_out_repost(repost_id)


runs_in_batches(fan_out_post, lambda calls: fanout.fan_out_posts(post_id for (post_id,) in calls))
runs_in_batches(fan_out_repost, lambda calls: fanout.fan_out_reposts(repost_id for (repost_id,) in calls))


@shared_task(name="spool.timelines.tasks.backfill", ignore_result=True)
def backfill(follower_id: int, followee_id: int) -> int:
    return fanout.backfill(follower_id, followee_id)


runs_in_batches(
    backfill, lambda calls: fanout.backfill_all((follower, followee) for follower, followee in calls)
)


@shared_task(name="spool.timelines.tasks.drop_timeline", ignore_result=True)
def drop_timeline(owner_id: int) -> None:
    get_store().drop([owner_id])


@shared_task(name="spool.timelines.tasks.upkeep", ignore_result=True)
def upkeep() -> int:
    """Drop timelines inactive for ``timeline_inactive_days`` and trim the rest to the cap (hourly)."""
    return fanout.drop_inactive() + get_store().trim()
