from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "spool.core"
    label = "core"
