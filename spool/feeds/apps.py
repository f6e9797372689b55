from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "spool.feeds"
    label = "feeds"
