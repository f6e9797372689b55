"""Periodic work of communities (thin: each task calls one service)."""

from __future__ import annotations

from celery import shared_task

from spool.communities.leaders import award_leaders as award


@shared_task(name="spool.communities.tasks.award_leaders", ignore_result=True)
def award_leaders() -> int:
    """Award and revoke community leader badges as of now; returns how many changed."""
    changes = award()
    return len(changes.awarded) + len(changes.revoked)
