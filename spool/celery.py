"""The Celery application. Tasks live in each app's ``tasks.py``; they take IDs and call services.

**Database connections in the worker.** Celery's Django fixup closes every database connection before
and after each task, and in a prefork worker (since Celery 5.6) Django's PostgreSQL pool with them: every
task opened a new pool, and with it ``SPOOL_DB_POOL_MIN_SIZE`` new PostgreSQL backends (a fork,
authentication, cold catalog caches each; about one backend per activity the inbox received, Celery issue
10554). So the fixup's closing is spaced out (``CELERY_DB_REUSE_MAX`` in the settings: every thousand
tasks, which bounds a pool's life) and :func:`_release_connections` gives the
task's connections back after each task as Django does after each request: to the pool on PostgreSQL (a
broken one is dropped), to the kept connections on SQLite.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spool.settings")

app = Celery("spool")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect
def _release_connections(sender: Any = None, **kwargs: Any) -> None:
    """After a task run by a worker (not eagerly: that runs in its caller's transaction), give its
    database connections back as Django does at the end of a request."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
