from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "spool.rollout"
    label = "rollout"
