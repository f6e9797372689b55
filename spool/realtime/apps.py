from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "spool.realtime"
    label = "realtime"
