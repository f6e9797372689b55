from django.apps import AppConfig


class OAuthConfig(AppConfig):
    name = "spool.oauth"
    label = "oauth"
