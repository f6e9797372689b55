"""Celery tasks: thin, take IDs, idempotent (see :mod:`spool.federation.inbox` and
:mod:`spool.federation.delivery`)."""

from __future__ import annotations

from celery import shared_task

from spool.federation import delivery, inbox


@shared_task
def drain_inbox() -> int:
    return inbox.drain()


@shared_task
def process_inbox_item(item_id: int) -> str:
    return inbox.process_item(item_id)


@shared_task
def send_delivery(delivery_id: int) -> str:
    return delivery.send_delivery(delivery_id)


@shared_task
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    return delivery.send_deliveries(delivery_ids)


@shared_task
def retry_deliveries() -> int:
    """Every minute (``SPOOL_FEDERATION_RETRY_INTERVAL_SECONDS``): deliveries and inbox items whose retry
    time has come (and any a dead worker left)."""
    due = delivery.due_deliveries()
    delivery.enqueue_sends(due)
    items = inbox.due_items()
    for item_id in items:
        process_inbox_item.delay(item_id)
    return len(due) + len(items)
