"""Model building blocks shared by every app."""

from __future__ import annotations

from django.db import models

from spool.core.snowflake import next_id


class SnowflakeModel(models.Model):
    """A model whose primary key is a time-sortable 64-bit ID (see :mod:`spool.core.snowflake`)."""

    id = models.BigIntegerField(primary_key=True, default=next_id, editable=False)

    class Meta:
        abstract = True


class RateCounter(models.Model):
    """One fixed-window counter of the embedded rate limiter (Redis holds these at scale)."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
