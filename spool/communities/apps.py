"""Topic communities: membership, flair, a custom like emoji, a ranked feed and community leaders."""

from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "spool.communities"
    label = "communities"
