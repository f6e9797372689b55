"""Periodic work of feeds (thin: each task calls one service)."""

from __future__ import annotations

from celery import shared_task

from spool.feeds.trending import services


@shared_task(name="spool.feeds.tasks.refresh_trending")
def refresh_trending() -> int:
    """Recompute trending now and its highlights; returns how many topics trend."""
    return len(services.refresh_trending()["topics"])
