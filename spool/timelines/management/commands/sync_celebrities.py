from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from spool.timelines.celebrities import sync_celebrities


class Command(BaseCommand):
    help = (
        "PostgreSQL: make the set of accounts above the fan-out threshold anew for the fanout_threshold"
        " setting (run after changing it; until then home pages read every followed account's follower"
        " count)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: only PostgreSQL keeps the set.")
            return
        threshold = int(settings.SPOOL.fanout_threshold)
        count = sync_celebrities(threshold)
        self.stdout.write(f"{count} accounts have more than {threshold} followers.")
