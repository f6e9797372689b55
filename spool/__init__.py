"""Spool: a self-hostable, Threads-style social network."""

from spool.celery import app as celery_app

__all__ = ["celery_app"]
