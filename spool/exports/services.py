"""Data exports as background work: a person asks, a task builds the ZIP and stores it, the person downloads
it from Settings → Security (or the native API) when it is ready.

``request_data_export`` counts against ``EXPORT_LIMIT`` and enqueues ``build_data_export`` after commit;
the task is idempotent (an export that is no longer pending is left alone) and takes the export's ID.
Only the newest export of a person is kept: a new one deletes the older files once it is built. Exports
older than ``SPOOL.export_retention_days`` are deleted by the periodic :func:`expire_data_exports`. A failed
export shows as failed and is taken back from the limit (it was no use to anyone); asking again starts a
new one."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from spool.core.errors import NotFound
from spool.core.ratelimit import Limit, hit, refund
from spool.exports.archive import write_archive
from spool.exports.models import DataExport
from spool.identities.models import Account

EXPORT_LIMIT = Limit("data exports", 3, timedelta(hours=24))
log = logging.getLogger(__name__)


def _quota_key(account_id: int) -> str:
    return f"account:{account_id}"


def request_data_export(account: Account) -> DataExport:
    """Start an export of ``account``'s data. An export still being built is returned as is (no second
    one, nothing counted); otherwise counts against ``EXPORT_LIMIT`` (``RateLimited`` 429, nothing written)
    and creates a pending export whose ``build_data_export`` task is enqueued once this commits."""
    pending = DataExport.objects.filter(account=account, state=DataExport.State.PENDING).first()
    if pending is not None:
        return pending
    hit(EXPORT_LIMIT, _quota_key(account.pk))
    export = DataExport.objects.create(account=account)

    def enqueue() -> None:
        from spool.exports.tasks import build_data_export

        build_data_export.delay(export.pk)

    transaction.on_commit(enqueue)
    return export


def build_data_export(export_id: int) -> None:
    """Write the ZIP of a pending export to storage and mark it ready (or failed, logged, if writing it
    raised, when it no longer counts against ``EXPORT_LIMIT`` if asked for in the limit's window); then
    delete the owner's older exports and their files. A missing or finished export: nothing."""
    export = DataExport.objects.select_related("account__user").filter(pk=export_id).first()
    if export is None or export.state != DataExport.State.PENDING:
        return
    try:
        with write_archive(export.account) as archive:
            # The name is the only thing between the file and anyone who could list the storage's URLs.
            name = f"spool-{export.account.handle}-{secrets.token_urlsafe(24)}.zip"
            export.file.save(name, File(archive), save=False)
        export.size = export.file.size
        export.state = DataExport.State.READY
    except Exception:
        log.exception("data export %s failed", export_id)
        export.state = DataExport.State.FAILED
        if export.requested_at > timezone.now() - EXPORT_LIMIT.window:
            refund(EXPORT_LIMIT, _quota_key(export.account_id))
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "size", "state", "finished_at"])
    if export.state == DataExport.State.READY:
        for older in DataExport.objects.filter(account_id=export.account_id, id__lt=export.pk):
            older.file.delete(save=False)
            older.delete()


def latest_export(account: Account) -> DataExport | None:
    return DataExport.objects.filter(account=account).first()


def access_export(account: Account, export_id: int) -> DataExport:
    """``account``'s export ``export_id``; someone else's, or a missing one, is ``NotFound`` alike."""
    export = DataExport.objects.filter(account=account, pk=export_id).first()
    if export is None:
        raise NotFound("No such export.")
    return export


def open_export_file(account: Account, export_id: int) -> File:
    """The ready ZIP of ``account``'s export ``export_id``, opened for reading; ``NotFound`` otherwise."""
    export = access_export(account, export_id)
    if export.state != DataExport.State.READY or not export.file:
        raise NotFound("This export is not ready.")
    export.file.open("rb")
    return export.file


def expire_data_exports(now: datetime | None = None) -> int:
    """Delete every export asked for more than ``SPOOL.export_retention_days`` ago, whatever its state: its
    file from storage, then its row. Returns how many. A file that cannot be deleted keeps its row (tried
    again next time, logged)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SPOOL.export_retention_days)
    expired = 0
    for export in DataExport.objects.filter(requested_at__lt=cutoff).order_by("id").iterator():
        try:
            if export.file:
                export.file.delete(save=False)
        except OSError:
            log.exception("could not delete the file of data export %s", export.pk)
            continue
        export.delete()
        expired += 1
    return expired
