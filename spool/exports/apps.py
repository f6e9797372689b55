from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "spool.exports"
    label = "exports"
