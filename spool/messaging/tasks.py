"""Background work of direct messages: thin, idempotent tasks over the services."""

from __future__ import annotations

from celery import shared_task

from spool.messaging import services


@shared_task(name="spool.messaging.tasks.prune_changes", ignore_result=True)
def prune_changes() -> int:
    """Delete change-log rows past their keeping time (scheduled daily)."""
    return services.prune_changes()
