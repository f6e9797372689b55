from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "spool.notifications"
    label = "notifications"

    def ready(self) -> None:
        from spool.notifications import handlers

        handlers.connect()
