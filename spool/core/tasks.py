"""Celery tasks of the core: thin (see :mod:`spool.core.batching`)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from spool.core import batching


@shared_task(name="spool.core.tasks.run_tasks", ignore_result=True)
def run_tasks(name: str, calls: list[list[Any]]) -> int:
    return batching.run_all(name, calls)
