"""Background work of OAuth: thin, idempotent tasks over the services."""

from __future__ import annotations

from celery import shared_task

from spool.oauth import services


@shared_task(name="spool.oauth.tasks.purge_expired_codes", ignore_result=True)
def purge_expired_codes() -> int:
    """Delete authorization codes that expired unused (scheduled hourly)."""
    return services.purge_expired_codes()
