"""Background work of search: thin, idempotent tasks taking IDs."""

from __future__ import annotations

from celery import shared_task

from spool.core.batching import runs_in_batches
from spool.search import services


@shared_task(name="spool.search.tasks.index_post", ignore_result=True)
def index_post(post_id: int) -> None:
    """Bring a post's index entry up to date (created, edited or deleted)."""
    services.index_post(post_id)


runs_in_batches(index_post, lambda calls: services.index_posts(post_id for (post_id,) in calls))
