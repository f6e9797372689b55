"""Sending many small follow-up tasks as a few messages.

A task per event is right for one person posting, and costly when one worker task applies a hundred
activities from other servers: each new post would send three messages (timelines, search, spam score),
each read back, decoded and acknowledged by the worker on its own. Inside :func:`batched_tasks`,
:func:`enqueue` only collects the calls; when the block ends they go out together, every task name's
calls in one :func:`~spool.core.tasks.run_task_groups` message (at most ``CHUNK`` calls each: a batch
of new posts sends one message for its timelines, search, spam and trending work, not one per kind).
Outside it, :func:`enqueue` is ``task.delay``.

A task whose work is cheaper done for many calls at once (one set-based query instead of a few per call)
registers a batch runner (:func:`runs_in_batches`): :func:`run_all` then hands it every call of a message
at once. Work done in this process rather than by a task (live pushes to connected clients) can be
gathered the same way (:func:`gather`): one call of its handler with every item when the block ends.

The calls keep their guarantees: they are collected by after-commit handlers, so nothing rolled back is
sent; a call that raises in :func:`run_tasks` is logged and sent again as a task of its own, so one bad
call neither loses the others nor is lost itself. A batch runner that raises is logged and its calls run
one at a time as above (tasks with a batch runner are idempotent, so work the batch did is not doubled).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from celery import Task, current_app

log = logging.getLogger(__name__)
CHUNK = 200

_batch_runners: dict[str, Callable[[list[list[Any]]], object]] = {}
_collected: ContextVar[dict[str, list[list[Any]]] | None] = ContextVar("batched_tasks", default=None)
_gathered: ContextVar[dict[Callable[[list[Any]], object], list[Any]] | None] = ContextVar(
    "batched_gathered", default=None
)


def enqueue(task: Task, *args: Any) -> None:
    """``task.delay(*args)``, or collected for one message when inside :func:`batched_tasks`."""
    collected = _collected.get()
    if collected is None:
        task.delay(*args)
    else:
        collected.setdefault(task.name, []).append(list(args))


@contextmanager
def batched_tasks() -> Iterator[None]:
    """Collect :func:`enqueue` calls made inside the block and send them when it ends (also when it raises:
    what was collected came from transactions that committed)."""
    collected: dict[str, list[list[Any]]] = {}
    gathered: dict[Callable[[list[Any]], object], list[Any]] = {}
    token, gathered_token = _collected.set(collected), _gathered.set(gathered)
    try:
        yield
    finally:
        _collected.reset(token)
        _gathered.reset(gathered_token)
        from spool.core.tasks import run_task_groups

        for message in _messages(collected):
            run_task_groups.delay(message)
        for handler, items in gathered.items():
            try:
                handler(items)
            except Exception:
                name = getattr(handler, "__name__", repr(handler))
                log.exception("%s failed for a batch of %d", name, len(items))


def _messages(collected: dict[str, list[list[Any]]]) -> Iterator[list[list[Any]]]:
    """The collected calls cut into messages of at most ``CHUNK`` calls, each a list of [task name, its
    calls] pairs, the names in the order they were first enqueued."""
    message: list[list[Any]] = []
    room = CHUNK
    for name, calls in collected.items():
        start = 0
        while start < len(calls):
            part = calls[start : start + room]
            message.append([name, part])
            start += len(part)
            room -= len(part)
            if not room:
                yield message
                message, room = [], CHUNK
    if message:
        yield message


def run_groups(groups: Iterable[Sequence[Any]]) -> int:
    """:func:`run_all` for each (task name, calls) of a message, one after another: a name whose calls fail
    does not keep the others from running. Returns how many calls ran here."""
    return sum(run_all(name, calls) for name, calls in groups)


def gather(handler: Callable[[list[Any]], object], item: Any) -> bool:
    """Inside :func:`batched_tasks`, keep ``item`` for one ``handler(items)`` call in this process when the
    block ends (best-effort work: a handler that raises is logged) and return ``True``; outside it, return
    ``False`` for the caller to do the work now."""
    gathered = _gathered.get()
    if gathered is None:
        return False
    gathered.setdefault(handler, []).append(item)
    return True


def runs_in_batches(task: Task, runner: Callable[[list[list[Any]]], object]) -> None:
    """Let :func:`run_all` apply many calls of ``task`` (an idempotent task) as one ``runner(calls)``, each
    call its argument list."""
    _batch_runners[task.name] = runner


def run_all(name: str, calls: list[list[Any]]) -> int:
    """Run the task ``name`` for every argument list, in this process: all at once through its batch
    runner when it has one, else (or when the runner raised) one call at a time, a call that raises sent
    again as a task of its own. Returns how many ran here."""
    runner = _batch_runners.get(name)
    if runner is not None and len(calls) > 1:
        try:
            runner(calls)
            return len(calls)
        except Exception:
            log.exception("%s: the batch of %d calls failed; running them one at a time", name, len(calls))
    task = current_app.tasks[name]
    ran = 0
    for args in calls:
        try:
            task.run(*args)
            ran += 1
        except Exception:
            log.exception("%s%r failed in a batch; sent again on its own", name, tuple(args))
            task.delay(*args)
    return ran
