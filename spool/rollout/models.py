"""A rollout flag: whether a feature is on for a person in a country (see :mod:`spool.rollout`)."""

from __future__ import annotations

from django.db import models

MAX_NAME = 50
MAX_DESCRIPTION = 200
MAX_ACCOUNTS = 1000
MAX_COUNTRIES = 250


class Flag(models.Model):
    """One feature's rollout. ``enabled`` off: nobody has it. On: the accounts in ``account_ids`` have it, and
    ``percentage`` per cent of everyone else (chosen by a stable hash of the account ID and the flag's name;
    100 includes logged-out visitors). ``countries_allowed`` (when not empty) and ``countries_denied`` apply
    to everyone, allowlisted accounts included: regional availability is not a preference.

    Account IDs and country codes are plain lists, not foreign keys, so this app sits just above core and
    every domain app can ask it."""

    name = models.SlugField(max_length=MAX_NAME, unique=True)
    description = models.CharField(max_length=MAX_DESCRIPTION, blank=True, default="")
    enabled = models.BooleanField(default=False)
    percentage = models.PositiveSmallIntegerField(default=0)
    account_ids = models.JSONField(default=list, blank=True)
    countries_allowed = models.JSONField(default=list, blank=True)
    countries_denied = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
