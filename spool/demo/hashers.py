"""A cheap Argon2 for the demo cast's random, never-shown passwords (see :mod:`spool.demo.data`).

Its hashes are ordinary ``argon2$…`` hashes that carry their own cost parameters, so the project's normal
Argon2 hasher verifies them (and would upgrade them on a successful sign-in)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
