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

    def since(self, before: Snapshot) -> dict[str, float]:
        """CPU seconds used between ``before`` and this snapshot. A backend that ended in between is lost
        (connections are pooled: they live as long as the processes that hold them)."""
        backends = sum(cpu - before.backends.get(pid, 0.0) for pid, cpu in self.backends.items())
        return {
            "postgres": backends,
            "postgres_shared": self.postgres_shared - before.postgres_shared,
            "redis": self.redis - before.redis,
        }
