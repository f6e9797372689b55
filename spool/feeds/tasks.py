"""Periodic work of feeds (thin: each task calls one service)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from redis.exceptions import RedisError

from spool.core.batching import runs_in_batches
from spool.feeds.for_you import pools
from spool.feeds.trending import services


@shared_task(name="spool.feeds.tasks.refresh_trending")
def refresh_trending() -> int:
    """Recompute trending now and its highlights; returns how many topics trend."""
    return len(services.refresh_trending()["topics"])


@shared_task(
    name="spool.feeds.tasks.count_for_trending",
    ignore_result=True,
    autoretry_for=(DatabaseError, RedisError),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=6,
)
def count_for_trending(post_id: int) -> None:
    """Count a new post's topic and keywords for trending (enqueued after the post commits). Idempotent (a
    per-post marker written with the counts), so it is retried when the database or Redis fails."""
    services.count_post(post_id)


runs_in_batches(count_for_trending, lambda calls: services.count_posts(post_id for (post_id,) in calls))


@shared_task(name="spool.feeds.tasks.refresh_candidate_pools")
def refresh_candidate_pools() -> dict[str, int]:
    """Recompute For You's precomputed candidate pools; returns each pool's size."""
    return pools.refresh_candidate_pools()
