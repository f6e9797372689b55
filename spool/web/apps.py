from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "spool.web"
    label = "web"
