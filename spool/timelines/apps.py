from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "spool.timelines"
    label = "timelines"
