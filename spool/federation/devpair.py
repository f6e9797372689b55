"""Two real Spool instances on loopback that federate with each other (development mode), for the
two-instance tests and ``make federation-demo``.

Each instance is a ``manage.py serve`` process tree (uvicorn, a Celery worker, the beat scheduler) with its
own SQLite database, broker folder and media under its own data directory, named ``127.0.0.1:<port>``.
People are set up with ``manage.py shell`` (accounts, federation opt-in, OAuth tokens); everything after
that goes through the instances' HTTP APIs, as a Mastodon client would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0
# Outside services the parent may use (a test run on PostgreSQL + Redis): never shared with the pair.
_DROPPED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PYTEST_XDIST_WORKER")

_SETUP = """
import json
from spool.identities.services import register_account
from spool.federation.policy import set_federation
from spool.oauth import scopes
from spool.oauth.services import create_application, issue_token
app = create_application(name="federation pair", redirect_uris="urn:ietf:wg:oauth:2.0:oob",
                         scopes="read write follow push")
people = {}
for handle in HANDLES:
    account = register_account(email=f"{handle}@pair.test", password="federation pair 1", handle=handle)
    set_federation(account, True)
    token = issue_token(app.application, account, scopes.parse("read write follow push")).access_token
    people[handle] = {"id": str(account.id), "token": token}
print("PEOPLE=" + json.dumps(people))
"""


def copy_database(source: Path, target: Path) -> None:
    """Copy the SQLite database of data directory ``source``, with its WAL files, into ``target``."""
    for suffix in ("", "-wal", "-shm"):
        path = source / f"spool.sqlite3{suffix}"
        if path.exists():
            shutil.copy(path, target / path.name)


class ApiError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"{status}: {body[:300]}")
        self.status = status


@dataclass
class Client:
    """A Mastodon-API client holding one person's token."""

    base: str
    token: str

    def call(self, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback URLs built here
            self.base + path,
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, exc.read().decode(errors="replace")) from exc
        return json.loads(raw) if raw else None

    def get(self, path: str, **params: Any) -> Any:
        query = f"?{urlencode(params, doseq=True)}" if params else ""
        return self.call("GET", path + query)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.call("POST", path, data or {})


@dataclass
class Instance:
    name: str
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes] | None = None
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.domain}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
        env.update(
            SPOOL_DATA_DIR=str(self.data_dir),
            SPOOL_DOMAIN=self.domain,
            SPOOL_DEBUG="1",
            SPOOL_FEDERATION_DEV_MODE="1",
            SPOOL_KEY_PREFIX=f"pair-{self.name}",
            SPOOL_SECRET_KEY=f"federation-pair-{self.name}-not-secret",
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed on {self.name}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def set_up(self, handles: list[str]) -> None:
        out = self.manage("shell", "-c", f"HANDLES = {handles!r}\n{_SETUP}")
        line = next(line for line in out.splitlines() if line.startswith("PEOPLE="))
        self.people = json.loads(line[len("PEOPLE=") :])

    def migrate(self, migrated: Path | None = None) -> None:
        """Create this instance's database: a copy of the one in ``migrated`` (another data directory whose
        database is already migrated) if given — much faster — else by migrating."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if migrated is None:
            self.manage("migrate", "--noinput")
            return
        copy_database(migrated, self.data_dir)

    def start(self) -> None:
        self.launch()
        self.wait_until_up()

    def launch(self) -> None:
        """Start ``serve`` without waiting for it to answer (see :meth:`wait_until_up`)."""
        log = open(self.data_dir / "serve.log", "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=self.env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self) -> None:
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start: {self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def worker_pid(self) -> int | None:
        """The PID of this instance's Celery worker (a child of ``serve``), if it runs."""
        if self.process is None:
            return None
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid and b"worker" in args:
                return int(entry.name)
        return None

    def log_tail(self, lines: int = 40) -> str:
        path = self.data_dir / "serve.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def client(self, handle: str) -> Client:
        return Client(self.url, self.people[handle]["token"])


def make_pair(
    root: Path,
    ports: tuple[int, int],
    handles: tuple[list[str], list[str]],
    migrated: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[Instance, Instance]:
    """Two migrated instances with their people set up (not started), both with ``env`` added to their
    environment. The database is migrated once and copied, which is much faster than migrating twice; with
    ``migrated`` (a data directory holding a migrated database) it is not migrated at all."""
    a = Instance("a", ports[0], root / "a", extra_env=dict(env or {}))
    b = Instance("b", ports[1], root / "b", extra_env=dict(env or {}))
    a.migrate(migrated)
    b.migrate(migrated or a.data_dir)
    a.set_up(handles[0])
    b.set_up(handles[1])
    return a, b


def start_pair(a: Instance, b: Instance) -> None:
    """Start both instances side by side (each waits for the other's start-up otherwise)."""
    a.launch()
    b.launch()
    a.wait_until_up()
    b.wait_until_up()


def wait_for(what: str, check: Any, timeout: float = 90.0, every: float = 0.5) -> Any:
    """Poll ``check()`` until it returns something truthy (then returned) or ``timeout`` passes
    (``AssertionError``)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except ApiError as exc:
            last = exc
        if last and not isinstance(last, ApiError):
            return last
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")
