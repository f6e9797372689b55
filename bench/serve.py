"""The bench's HTTP server: ``python -m bench.serve --database sqlite|postgres --name DB --prefix P --port N
--workers W [--ceiling FILE] [--data-dir DIR]`` runs uvicorn (uvloop, httptools) with ``W`` worker processes
serving :mod:`bench.asgi` on loopback, sharing one listening socket; with ``--ports N1,N2,…`` instead, one
uvicorn process per port.

:func:`server` starts it as a subprocess, one process per port, and waits until each answers. A shared
socket leaves to the kernel which worker accepts each of the load driver's 16 keep-alive connections, and
it often gives one worker most of them for the whole load (measured: the ceiling's load all on one of two
workers, 2,528 req/s against 4,995 in another run), so the figures measured the split, not the server. With
a port per process the load driver sends each process the same share (:mod:`bench.load`)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120.0


def free_port(skip: Collection[int] = ()) -> int:
    """A free loopback port not in ``skip``: any, or the first free one of ``SPOOL_BENCH_PORTS``
    (``9700-9799``) on a machine whose users share out port ranges."""
    low, _, high = os.environ.get("SPOOL_BENCH_PORTS", "0-0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        for _ in range(100 if port == 0 else 1):  # port 0: the system picks one, maybe one skipped
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    break
                found = int(probe.getsockname()[1])
            if found not in skip:
                return found
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
    """``workers`` uvicorn processes, each on a free loopback port of its own, serving the run database
    ``name``; yields their base URLs (and appends the server's process ID to ``pids``, when given, for
    :func:`tree_cpu_seconds`: it counts the processes it started). ``settings``: environment variables for
    the server's processes (``SPOOL_…``)."""
    ports = _free_ports(workers)
    env = {**os.environ, **(settings or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "bench.serve", "--database", database, "--name", name]
    command += ["--prefix", prefix, "--ports", ",".join(map(str, ports))]
    if ceiling is not None:
        command += ["--ceiling", str(ceiling)]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    if pids is not None:
        pids.append(process.pid)
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        for url in urls:
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("bench: the HTTP server did not start")
                time.sleep(0.2)
        yield urls
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_ports(count: int) -> list[int]:
    """``count`` distinct free ports (each checked free, none taken yet)."""
    ports: list[int] = []
    while len(ports) < count:
        ports.append(free_port(skip=ports))
    return ports


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/v1/streaming/health", timeout=5).ok
    except requests.RequestException:
        return False


def _serve_each(args: argparse.Namespace, ports: list[int]) -> None:
    """One child process per port (``bench.serve --port P --workers 1``), stopped with this one."""
    base = [sys.executable, "-m", "bench.serve", "--database", args.database, "--name", args.name]
    base += ["--prefix", args.prefix, "--ceiling", args.ceiling, "--data-dir", args.data_dir]
    children = [subprocess.Popen([*base, "--port", str(port), "--workers", "1"]) for port in ports]

    def stop(*_: object) -> None:
        for child in children:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    for child in children:
        child.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--name", required=True, help="the run database (SQLite file or PostgreSQL name)")
    parser.add_argument("--prefix", required=True, help="the Redis key prefix of the run")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ports", default="", help="comma-separated: one server process per port")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ceiling", default="", help="JSON file of the ceiling view's statuses")
    parser.add_argument(
        "--data-dir", default="", help="SPOOL_DATA_DIR to share with a worker (default: a temporary one)"
    )
    args = parser.parse_args(argv)
    if bool(args.port) == bool(args.ports):
        parser.error("give --port (one socket, --workers processes) or --ports (a process per port)")
    if args.ports:
        # A Celery worker on the embedded filesystem broker must share the server's data directory.
        with tempfile.TemporaryDirectory(prefix="spool-bench-serve-") as tmp:
            args.data_dir = args.data_dir or tmp
            _serve_each(args, [int(port) for port in args.ports.split(",")])
        return

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
