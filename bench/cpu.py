"""CPU time of the processes a bench does not start itself, read from Linux ``/proc``: the PostgreSQL
backends serving one database, and the Redis server. With the server's and the workers' own figures and
the load driver's, they say where the machine's CPU went per activity (what to cut)."""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _seconds(pid: int | str) -> float:
    """User + system CPU seconds process ``pid`` has used (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _processes() -> list[tuple[str, str]]:
    """(pid, command line) of every process this user may read."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((entry.name, cmdline))
    return found


class Snapshot:
    """CPU seconds per process at one moment: the PostgreSQL backends of database ``db_name`` (their
    process title names it: ``postgres: … user db_name host(port) state``), PostgreSQL's own background
    processes (shared with any other database on the server), and ``redis-server`` (shared with every
    Redis database)."""

    def __init__(self, db_name: str | None) -> None:
        self.db_name = db_name
        self.backends: dict[str, float] = {}
        self.postgres_shared = 0.0
        self.redis = 0.0
        for pid, cmdline in _processes():
            if cmdline.startswith("postgres:"):
                words = cmdline.split()
                if db_name and db_name in words:
                    self.backends[pid] = _seconds(pid)
                elif len(words) <= 5:  # "postgres: 15/main: walwriter": the server's own processes
                    self.postgres_shared += _seconds(pid)
            elif cmdline.startswith("redis-server"):
                self.redis += _seconds(pid)
        self.seen = dict(self.backends)  # each backend's CPU when last sampled (see :meth:`sample`)

    def sample(self) -> None:
        """Note the backends' CPU now: one that ends before the next snapshot (a connection closed) still
        counts, up to this moment. Call it often while the run goes on."""
        for pid, cmdline in _processes():
            if cmdline.startswith("postgres:") and self.db_name and self.db_name in cmdline.split():
                self.seen[pid] = max(self.seen.get(pid, 0.0), _seconds(pid))

    def since(self, before: Snapshot) -> dict[str, float]:
        """CPU seconds used between ``before`` and this snapshot. A backend that ended in between counts up
        to when ``before`` last sampled it (a backend that lived between two samples is lost)."""
        seen = {
            **before.seen,
            **{pid: max(cpu, before.seen.get(pid, 0.0)) for pid, cpu in self.backends.items()},
        }
        backends = sum(cpu - before.backends.get(pid, 0.0) for pid, cpu in seen.items())
        return {
            "postgres": backends,
            "postgres_shared": self.postgres_shared - before.postgres_shared,
            "redis": self.redis - before.redis,
        }
