"""Background work of the data export: a thin, idempotent task taking the export's ID, and the periodic
expiry of old exports."""

from __future__ import annotations

from celery import shared_task

from spool.exports import services


@shared_task(name="spool.exports.tasks.build_data_export", ignore_result=True)
def build_data_export(export_id: int) -> None:
    """Build a requested export's ZIP and mark it ready for download."""
    services.build_data_export(export_id)


@shared_task(name="spool.exports.tasks.expire_data_exports", ignore_result=True)
def expire_data_exports() -> int:
    """Delete exports (files and rows) older than ``SPOOL.export_retention_days``; returns how many."""
    return services.expire_data_exports()
