from django.apps import AppConfig


class IdentitiesConfig(AppConfig):
    name = "spool.identities"
    label = "identities"
