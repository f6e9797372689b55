"""``manage.py serve``: the embedded mode in one process tree.

Starts the Celery worker and the beat scheduler as child processes, then the ASGI server (uvicorn) in the
foreground. Ctrl-C or SIGTERM stops the server, then the children (SIGTERM, so the worker finishes the task in
hand; SIGKILL after a grace period). Children that die are restarted a few times, with their output prefixed.

Static files are served by Django's own static-files handler wrapped around the ASGI application, straight
from the apps' ``static/`` folders (no ``collectstatic`` step, no extra dependency). That suits one machine;
at scale run ``collectstatic`` and let the proxy or a CDN serve ``STATIC_ROOT``.

Only Django and the project's wiring are imported here, never another Spool app (``core`` sits below them
all); the demo login is read from the file ``seed_demo`` writes (``DATA_DIR/demo-login.txt``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

DEMO_LOGIN_FILE = "demo-login.txt"
# Celery in a child that stops when ``serve`` dies, whatever the way (see ``celery_child``).
CELERY = [sys.executable, "-m", "spool.core.management.celery_child"]
RESTART_LIMIT = 5
STOP_GRACE_SECONDS = 10.0


@dataclass
class Child:
    """A supervised child process (the worker or the scheduler)."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    reader: threading.Thread | None = field(default=None, repr=False)


class Command(BaseCommand):
    help = "Serve Spool over ASGI with the Celery worker and beat scheduler running alongside."
    requires_system_checks: list[str] = []  # the children and the server check what they load

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="Do not start the Celery worker.")
        parser.add_argument("--no-beat", action="store_true", help="Do not start the beat scheduler.")
        parser.add_argument(
            "--log-level", default="info", help="uvicorn and worker log level (default: info)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, log_level = options["host"], options["port"], options["log_level"]
        children: list[Child] = []
        if not options["no_worker"]:
            children.append(Child("worker", self._worker_argv(log_level)))
        if not options["no_beat"]:
            children.append(Child("beat", self._beat_argv()))

        supervisor = Supervisor(children)
        # SIGTERM must unwind through ``finally`` (stopping the children) instead of killing us outright.
        signal.signal(signal.SIGTERM, _raise_system_exit)
        exit_code: int | str | None = 0
        try:
            supervisor.start()
            self._serve(host, port, log_level)
        except KeyboardInterrupt:
            pass
        except SystemExit as exc:  # our SIGTERM handler (0) or a server that could not start
            exit_code = exc.code
        finally:
            # A second Ctrl-C while the children finish their work would only leave them orphaned.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if children:
                say("Stopping the worker and the scheduler…")
            supervisor.stop()
            say("Stopped.")
        if exit_code:
            raise SystemExit(exit_code)

    # --- Children -----------------------------------------------------------------------------------------

    def _worker_argv(self, log_level: str) -> list[str]:
        argv = [*CELERY, "-A", "spool", "--quiet", "worker", "--pool=solo", f"--loglevel={log_level}"]
        queues = _queues()
        if queues:
            argv.append("--queues=" + ",".join(queues))
        return [*argv, "--hostname=embedded@%h", "--without-gossip", "--without-mingle"]

    def _beat_argv(self) -> list[str]:
        schedule = getattr(
            settings, "CELERY_BEAT_SCHEDULE_FILENAME", str(settings.DATA_DIR / "celerybeat-schedule")
        )
        return [*CELERY, "-A", "spool", "--quiet", "beat", "--loglevel=warning", f"--schedule={schedule}"]

    # --- The server ---------------------------------------------------------------------------------------

    def _serve(self, host: str, port: int, log_level: str) -> None:
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.utils.module_loading import import_string

        # By name: the ASGI wiring imports the presentation layers, which core may not.
        application = import_string(settings.ASGI_APPLICATION)

        config = uvicorn.Config(
            ASGIStaticFilesHandler(application),
            host=host,
            port=port,
            log_level=log_level,
            lifespan="off",  # Django answers no lifespan events; saying so keeps the log clean
            proxy_headers=False,
            # uvloop and httptools (uvicorn[standard] installs both; "auto" falls back to asyncio and h11
            # where uvloop does not exist, as on Windows). The bench's server names them (bench.serve).
            loop="auto",
            http="auto",
        )
        server = uvicorn.Server(config)
        threading.Thread(target=self._announce, args=(server, host, port), daemon=True).start()
        server.run()
        if not server.started:
            raise SystemExit(f"Could not serve on {host}:{port} (is the port in use?).")

    def _announce(self, server: Any, host: str, port: int) -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.1)
        if not server.started:
            return
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only a display choice
        url = f"http://{shown_host}:{port}"
        lines = ["", f"  Spool is running at {url}", f"  Sign in at {url}{settings.LOGIN_URL}"]
        login = _demo_login()
        if login:
            lines.append(f"  Demo login: {login}")
        lines += ["  Press Ctrl-C to stop.", ""]
        say("\n".join(lines))


class Supervisor:
    """Starts, watches, prefixes the output of, restarts and stops the child processes."""

    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.watcher = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)
        self.watcher.start()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            running = [c.process for c in self.children if c.process and c.process.poll() is None]
            for process in running:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            for process in running:
                try:
                    process.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for child in self.children:
            if child.reader is not None:
                child.reader.join(timeout=2)

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(  # noqa: S603 - our own interpreter running celery, no shell
            child.argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "SPOOL_PARENT_PID": str(os.getpid())},
            # A session of its own: Ctrl-C in the terminal reaches only us, and we stop the children in order.
            start_new_session=True,
        )
        assert child.process.stdout is not None
        child.reader = threading.Thread(
            target=_relay, args=(child.name, child.process.stdout), name=f"{child.name}-log", daemon=True
        )
        child.reader.start()

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            with self.lock:
                if self.stopping.is_set():
                    return
                for child in self.children:
                    code = child.process.poll() if child.process else None
                    if code is None:
                        continue
                    if child.restarts >= RESTART_LIMIT:
                        continue
                    child.restarts += 1
                    attempt = f"{child.restarts}/{RESTART_LIMIT}"
                    say(f"[{child.name}] exited with code {code}; restarting ({attempt})…")
                    self._spawn(child)


_output_lock = threading.Lock()


def say(text: str) -> None:
    """Write whole lines to stdout at once, from any thread, unbuffered (the output is often a pipe)."""
    with _output_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _relay(name: str, stream: IO[bytes]) -> None:
    """Copy a child's output line by line, prefixed with its name."""
    for raw in iter(stream.readline, b""):
        say(f"[{name}] {raw.decode(errors='replace').rstrip()}")
    stream.close()


def _raise_system_exit(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _queues() -> list[str]:
    """Every queue a task may be routed to, so the single embedded worker consumes them all."""
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    names = {"celery"}
    if isinstance(routes, dict):
        names |= {route["queue"] for route in routes.values() if isinstance(route, dict) and "queue" in route}
    extra = getattr(settings, "CELERY_TASK_QUEUES", None) or ()
    names |= {getattr(queue, "name", str(queue)) for queue in extra}
    return sorted(names) if len(names) > 1 else []


def _demo_login() -> str:
    path = Path(settings.DATA_DIR) / DEMO_LOGIN_FILE
    try:
        return path.read_text().strip()
    except OSError:
        return ""
