from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "spool.moderation"
    label = "moderation"

    def ready(self) -> None:
        from spool.moderation import handlers

        handlers.connect()
