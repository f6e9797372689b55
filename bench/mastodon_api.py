"""The Mastodon API over real HTTP: ``GET /api/v1/timelines/home?limit=40`` and ``POST /api/v1/statuses``,
each sent by several client threads (keep-alive connections, a different person's token on each request)
to a uvicorn process (:mod:`bench.serve`) serving the bench database.

The figures are what a client sees: requests per second over the whole run, and the median and 99th
percentile of each request's round trip. Every answer must be a success: failures are counted and shown
(a rate limit answering 429 would show here, not hide in the averages). Scenarios whose endpoint the code
under test does not have (an older ``--baseline``) are left out.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from bench.dataset import Dataset
from bench.timing import percentile

CLIENT_THREADS = 8
START_TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class HttpFigure:
    scenario: str
    requests: int
    concurrency: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    failures: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(database: str, name: str) -> Iterator[str]:
    """A uvicorn process on a free loopback port serving database ``name``; yields its base URL."""
    port = _free_port()
    env = dict(os.environ)
    # The code under test first (``--baseline`` puts it on PYTHONPATH), then this bench.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(ROOT)]))
    command = [sys.executable, "-m", "bench.serve", "--database", database, "--name", name]
    process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=os.getcwd())
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if requests.get(f"{url}/api/v1/streaming/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("bench: the HTTP server did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def tokens(data: Dataset) -> list[str]:
    """A token (read, write) for each person of the dataset, minted through the OAuth services."""
    from spool.oauth import scopes
    from spool.oauth.services import create_application, issue_token

    app = create_application(name="bench", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write")
    granted = scopes.parse("read write")
    return [issue_token(app.application, person, granted).access_token for person in data.accounts]


def load(scenario: str, send: Callable[[requests.Session, int], requests.Response], total: int) -> HttpFigure:
    """``total`` calls of ``send(session, i)`` spread over :data:`CLIENT_THREADS` threads, each with its own
    keep-alive session."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        nonlocal failures
        session = requests.Session()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            start = time.perf_counter()
            response = send(session, i)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                failures += not response.ok

    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return HttpFigure(
        scenario=scenario,
        requests=total,
        concurrency=CLIENT_THREADS,
        seconds=round(seconds, 2),
        per_second=round(total / seconds, 1),
        p50_ms=round(statistics.median(latencies) * 1000, 1),
        p99_ms=round(percentile(latencies, 0.99) * 1000, 1),
        failures=failures,
    )


def _has(url: str, method: str, path: str, token: str) -> bool:
    """Whether the code under test has this endpoint: it answers, or refuses the empty request as invalid
    (no route answers 404, or 403 for a POST without a CSRF token)."""
    response = requests.request(method, f"{url}{path}", headers={"Authorization": f"Bearer {token}"}, json={})
    return response.status_code in (200, 400, 422)


def run_all(data: Dataset, runs: int, database: str, name: str) -> list[HttpFigure]:
    """Home timelines first (on the dataset as built), then new statuses; ten times ``runs`` requests each."""
    if importlib.util.find_spec("spool.oauth") is None:  # code from before the Mastodon API
        return []
    keys = tokens(data)
    total = runs * 10
    figures: list[HttpFigure] = []

    def auth(i: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[i % len(keys)]}"}

    def home(session: requests.Session, i: int) -> requests.Response:
        return session.get(f"{url}/api/v1/timelines/home", params={"limit": 40}, headers=auth(i))

    def post(session: requests.Session, i: int) -> requests.Response:
        body = {"status": f"Benchmark status {i}, written over HTTP #bench"}
        return session.post(f"{url}/api/v1/statuses", json=body, headers=auth(i))

    with server(database, name) as url:
        if _has(url, "GET", "/api/v1/timelines/home", keys[0]):
            load("GET /api/v1/timelines/home?limit=40 (warm-up)", home, CLIENT_THREADS * 2)
            figures.append(load("GET /api/v1/timelines/home?limit=40", home, total))
        if _has(url, "POST", "/api/v1/statuses", keys[0]):  # 422 for the empty status, or 404
            figures.append(load("POST /api/v1/statuses", post, total))
    return figures
