from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from spool.search.services import rebuild_search_index


class Command(BaseCommand):
    help = "Empty the search index and index every post again."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild_search_index()
        self.stdout.write(f"Indexed {count} posts.")
