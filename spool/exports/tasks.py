"""Background work of the data export: a thin, idempotent task taking the export's ID."""

from __future__ import annotations

from celery import shared_task

from spool.exports import services


@shared_task(name="spool.exports.tasks.build_data_export", ignore_result=True)
def build_data_export(export_id: int) -> None:
    """Build a requested export's ZIP and mark it ready for download."""
    services.build_data_export(export_id)
