"""The node number (0 to 1023) that :func:`spool.core.snowflake.next_id` puts in every ID of this process,
leased at the first ID (again in a forked child, which must not share its parent's):

- With Redis (scale-out, any number of machines): a site-wide counter, ``INCR`` modulo 1,023, so processes
  whose leases are fewer than 1,023 apart never share one.
- Without (one machine): the first free slot of 1,023 lock files under ``DATA_DIR/id-nodes``, held with
  ``flock`` for the life of the process. The kernel lets go however the process ends, so live processes
  never share one.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path

import redis

NODES = 1024
# Never leased: kept for IDs made in bulk outside any process (the benchmarks' injected bursts).
UNLEASED_NODE = NODES - 1
LEASED = NODES - 1  # nodes 0 to 1022

log = logging.getLogger(__name__)
_lock = threading.Lock()
_node: int | None = None
_held: int | None = None  # the descriptor of the slot file whose lock this process holds


def node() -> int:
    """This process's node number."""
    global _node
    if _node is None:
        with _lock:
            if _node is None:
                _node = _lease()
    return _node


def _lease() -> int:
    from django.conf import settings

    if settings.SPOOL.redis_url:
        from spool.core.redis import redis_client

        try:
            return (int(redis_client().incr(f"{settings.KEY_PREFIX}:idnode")) - 1) % LEASED
        except redis.RedisError:
            log.warning("Redis unreachable: ID node leased from this machine's lock files")
    return lease_slot(Path(settings.DATA_DIR) / "id-nodes")


def lease_slot(folder: Path) -> int:
    """Hold the first free slot of ``folder`` (from one picked by the process ID) and return its number."""
    global _held
    folder.mkdir(parents=True, exist_ok=True)
    start = os.getpid() % LEASED
    for step in range(LEASED):
        number = (start + step) % LEASED
        descriptor = try_slot(folder, number)
        if descriptor is not None:
            _held = descriptor
            return number
    raise RuntimeError(f"all {LEASED} ID nodes in {folder} are held by live processes")


def try_slot(folder: Path, number: int) -> int | None:
    """The descriptor holding slot ``number``'s lock, or None when another live process holds it."""
    descriptor = os.open(folder / f"{number}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def _forget_in_child() -> None:
    """A forked child leases a node of its own. Closing its copy of the slot's descriptor leaves the parent's
    lock in place (the lock belongs to the open file, which the parent still has)."""
    global _node, _held, _lock
    if _held is not None:
        os.close(_held)
    _node, _held, _lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)
