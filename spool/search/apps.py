from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "spool.search"
    label = "search"

    def ready(self) -> None:
        from spool.search import handlers

        handlers.connect()
