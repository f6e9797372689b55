from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "spool.messaging"
    label = "messaging"
