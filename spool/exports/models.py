"""A requested data export: built in the background, downloaded by its owner when ready."""

from __future__ import annotations

from django.db import models


class DataExport(models.Model):
    """One request for "Download your data". The ZIP is written to the default file storage under an
    unguessable name (``file``) and only ever served through the owner's download view, never by its
    storage URL. A newer request replaces the older file (see ``exports.services``)."""

    class State(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"

    account = models.ForeignKey("identities.Account", on_delete=models.CASCADE, related_name="data_exports")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    file = models.FileField(upload_to="exports/", blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "-id"], name="exports_account_newest")]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.account_id} ({self.state})"
