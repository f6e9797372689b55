"""Background work of posts. Thin: each task takes IDs (or nothing) and calls a service; all are
idempotent, so a retry or a duplicate delivery changes nothing."""

from __future__ import annotations

from celery import shared_task

from spool.posts import services


@shared_task(name="spool.posts.tasks.refresh_link_card", ignore_result=True)
def refresh_link_card(card_id: int) -> None:
    """Fetch a link preview card's page (SSRF-safe) and store what it says."""
    services.refresh_card(card_id)


@shared_task(name="spool.posts.tasks.expire_ghost_posts", ignore_result=True)
def expire_ghost_posts() -> int:
    """Archive ghost posts whose 24 hours are over (scheduled every minute)."""
    return services.expire_ghost_posts()


@shared_task(name="spool.posts.tasks.close_ended_polls", ignore_result=True)
def close_ended_polls() -> int:
    """Close polls whose 24 hours are over and publish ``PollEnded`` (scheduled every minute)."""
    return services.close_ended_polls()


@shared_task(name="spool.posts.tasks.delete_orphaned_media", ignore_result=True)
def delete_orphaned_media() -> int:
    """Delete uploads never attached to a post within 24 hours, rows and files (scheduled hourly)."""
    return services.delete_orphaned_media()
