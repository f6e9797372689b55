"""Background work of moderation. Tasks take IDs and are idempotent."""

from __future__ import annotations

from celery import shared_task

from spool.core.batching import runs_in_batches
from spool.moderation import spam


@shared_task(name="spool.moderation.tasks.score_post", ignore_result=True)
def score_post(post_id: int) -> int | None:
    """Compute a new post's spam score and hold it for review past the threshold (see ``spam``)."""
    result = spam.score_post(post_id)
    return result.total if result is not None else None


runs_in_batches(score_post, lambda calls: spam.score_posts(post_id for (post_id,) in calls))


@shared_task(name="spool.moderation.tasks.prune_fingerprints", ignore_result=True)
def prune_fingerprints() -> int:
    """Forget text fingerprints older than the duplicate-text window (scheduled hourly)."""
    return spam.prune_fingerprints()
