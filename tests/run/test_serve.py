"""``manage.py serve`` end to end: a real server, worker and scheduler on a temporary SQLite database.

The test signs up and posts a link over HTTP; the post's link card is fetched by the *worker* process (the
web process only enqueues it on Kombu's filesystem broker), so the card leaving the "pending" state shows the
whole background path works. The link points at an ``.invalid`` host, so the fetch fails at once (no network
is used) and the card becomes "failed". Then SIGTERM stops the server and its children.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from spool.config import BASE_DIR
from spool.federation.devpair import copy_database

pytestmark = pytest.mark.serve
DEADLINE_SECONDS = 25


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path: str, data: Any = None) -> tuple[int, Any]:
        body = json.dumps(data).encode() if data is not None else None
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf(), "Referer": self.base + "/"}
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310 - our server
        try:
            with self.opener.open(request, timeout=10) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw


def _wait_for(check: Any, deadline: float, what: str) -> Any:
    while time.monotonic() < deadline:
        try:
            result = check()
        except (OSError, sqlite3.Error):
            result = None
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.skipif(not Path("/proc").exists(), reason="inspects child processes through /proc")
def test_serve_runs_the_site_the_worker_and_the_scheduler_and_stops_them(
    tmp_path: Path, migrated_data_dir: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env |= {
        "SPOOL_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "spool.settings",
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    # A copy of a database migrated once for the run (``manage.py migrate`` in a fresh data directory).
    copy_database(migrated_data_dir, tmp_path)

    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [*manage, "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        health = _wait_for(lambda: browser.request("/healthz")[1], deadline, "/healthz")
        assert health == {"database": "sqlite", "cache": True}

        # A static file is served without collectstatic.
        assert browser.request("/static/admin/css/base.css")[0] == 200

        status, body = browser.request(
            "/api/spool/v1/accounts/",
            {"email": "serve@example.com", "password": "correct horse battery staple", "handle": "serve"},
        )
        assert status == 201, body
        status, post = browser.request(
            "/api/spool/v1/posts/", {"text": "Look: http://spool-test.invalid/page"}
        )
        assert status == 201, post

        def card_state() -> str | None:
            with sqlite3.connect(tmp_path / "spool.sqlite3", timeout=5) as db:
                row = db.execute("SELECT state FROM posts_linkcard").fetchone()
            return row[0] if row and row[0] != "pending" else None

        assert _wait_for(card_state, deadline, "the worker to process the link card") == "failed"
        children = _children(server.pid)
        assert len(children) == 2, "expected the worker and the scheduler"
        assert all(_alive(pid) for pid in children)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        finally:
            log.close()
    output = (tmp_path / "serve.log").read_text(errors="replace")
    assert code == 0, output
    assert "Stopped." in output
    assert not [pid for pid in children if _alive(pid)], output
