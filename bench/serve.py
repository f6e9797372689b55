"""The bench's HTTP server: ``python -m bench.serve --database sqlite|postgres --name DB --prefix P --port N
--workers W [--ceiling FILE] [--data-dir DIR]`` runs uvicorn (uvloop, httptools) with ``W`` worker processes
serving :mod:`bench.asgi` on loopback. :func:`server` starts it as a subprocess and waits until it answers."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120.0


def free_port() -> int:
    """A free loopback port: any, or the first free one of ``SPOOL_BENCH_PORTS`` (``9700-9799``) on a
    machine whose users share out port ranges."""
    low, _, high = os.environ.get("SPOOL_BENCH_PORTS", "0-0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError(f"bench: no free port in SPOOL_BENCH_PORTS={low}-{high}")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its live children (the workers), from
    ``/proc``: read before and after a load, the difference per request is the server's own cost, which
    neighbours on a shared machine disturb far less than requests per second. 0.0 where ``/proc`` is not."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command name: state, ppid, …; utime and stime are fields 14 and 15 of the whole line.
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


@contextmanager
def server(
    database: str,
    name: str,
    prefix: str,
    workers: int,
    ceiling: Path | None = None,
    pids: list[int] | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[str]:
    """A uvicorn server on a free loopback port serving the run database ``name``; yields its base URL (and
    appends the server's process ID to ``pids``, when given, for :func:`tree_cpu_seconds`). ``settings``:
    environment variables for the server's processes (``SPOOL_…``)."""
    port = free_port()
    env = {**os.environ, **(settings or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "bench.serve",
        "--database",
        database,
        "--name",
        name,
        "--prefix",
        prefix,
    ]
    command += ["--port", str(port), "--workers", str(workers)]
    if ceiling is not None:
        command += ["--ceiling", str(ceiling)]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    if pids is not None:
        pids.append(process.pid)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if requests.get(f"{url}/api/v1/streaming/health", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("bench: the HTTP server did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--name", required=True, help="the run database (SQLite file or PostgreSQL name)")
    parser.add_argument("--prefix", required=True, help="the Redis key prefix of the run")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ceiling", default="", help="JSON file of the ceiling view's statuses")
    parser.add_argument(
        "--data-dir", default="", help="SPOOL_DATA_DIR to share with a worker (default: a temporary one)"
    )
    args = parser.parse_args(argv)

    import uvicorn

    with tempfile.TemporaryDirectory(prefix="spool-bench-serve-") as tmp:
        # A Celery worker on the embedded filesystem broker must share the server's data directory.
        tmp = args.data_dir or tmp
        os.environ.update(
            SPOOL_BENCH_DATABASE=args.database,
            SPOOL_BENCH_NAME=args.name,
            SPOOL_BENCH_PREFIX=args.prefix,
            SPOOL_BENCH_CEILING=args.ceiling,
            SPOOL_DATA_DIR=tmp,
        )
        uvicorn.run(
            "bench.asgi:application",
            host="127.0.0.1",
            port=args.port,
            workers=args.workers,
            lifespan="off",
            log_level="warning",
            access_log=False,
            loop="uvloop",
            http="httptools",
            backlog=4096,
        )


if __name__ == "__main__":
    main()
