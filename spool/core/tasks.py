"""Celery tasks of the core: thin (see :mod:`spool.core.batching`)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from spool.core import batching


@shared_task(name="spool.core.tasks.run_tasks", ignore_result=True)
def run_tasks(name: str, calls: list[list[Any]]) -> int:
    """One task's calls as one message: what :func:`~spool.core.batching.batched_tasks` sent before
    :func:`run_task_groups` (kept for such messages still queued)."""
    return batching.run_all(name, calls)


@shared_task(name="spool.core.tasks.run_task_groups", ignore_result=True)
def run_task_groups(groups: list[list[Any]]) -> int:
    """The calls of several tasks sent as one message (:func:`spool.core.batching.batched_tasks`): each
    element a (task name, list of argument lists) pair."""
    return batching.run_groups(groups)
