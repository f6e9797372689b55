from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for a lived-in site on first run (``manage.py seed_demo``). No models."""

    name = "spool.demo"
    label = "demo"
