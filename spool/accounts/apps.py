from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "spool.accounts"
    label = "accounts"
