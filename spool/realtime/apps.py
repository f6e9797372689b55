from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "spool.realtime"
    label = "realtime"

    def ready(self) -> None:
        from spool.realtime import delivery, messaging

        delivery.connect()
        messaging.connect()
