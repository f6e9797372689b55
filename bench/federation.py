"""``python -m bench.federation``: issue 6's two federation benchmarks, end to end against a running Spool
(uvicorn as :mod:`bench.serve` starts it, plus real Celery workers), on SQLite (embedded: one server
process, one ``solo`` worker on the filesystem broker) and, when ``DATABASE_URL`` (PostgreSQL) and
``REDIS_URL`` are set, on PostgreSQL + Redis (two server processes, a worker with two processes). Each
database runs in its own child process; the stand-in remote servers and the load driver run there, on bare
asyncio (:mod:`bench.fedwire`).

1. **Inbox ingest.** ``--actors`` remote actors (each with its own RSA key, spread over 20 stand-in
   servers ``127.0.2.x``; their actor documents stored as if fetched before, so keys are known) send a mix
   of activities (Create Note 40 %, Like 25 %, Announce 15 %, Follow 10 %, Undo of an earlier Like or
   Follow 10 %) to the shared inbox (Follows to the person's inbox), each signed for real (draft-cavage,
   rsa-sha256 with Digest) before the clock starts. ``--connections`` keep-alive connections POST them
   back to back. *Accepted/s*: 202 answers per second of the sending; *processed/s*: activities per second
   from the first POST until every one of them has been processed by the workers (no ``pending`` inbox
   item left); accept latency p50/p95/p99. The Accepts that Follows cause are delivered to the stand-ins.
2. **Fan-out.** One local person with 250 remote followers, each on a stand-in server of its own
   (``127.0.1.1`` to ``127.0.1.250``, one shared inbox each) that takes 50 ms to answer and checks the
   signature, publishes ``--posts`` posts through ``POST /api/v1/statuses``; per post, the time from the
   POST to each server's 202, p50/p95/max over the 250 servers. Run twice in the same run: with
   ``SPOOL_FEDERATION_DELIVERY_CONCURRENCY=1`` (one task per inbox, how delivery worked before) and with
   the default (each task sends a batch of deliveries over that many connections at once).

Development mode (``SPOOL_DEBUG=1``, ``SPOOL_FEDERATION_DEV_MODE=1``) lets the server reach the stand-ins on
loopback over http, the sanctioned seam: in production the fetcher's address guard refuses them. Debug mode
is on for that only: ``SPOOL_DEBUG_QUERIES=0`` keeps Django from recording every query, as in production.

The section of ``docs/performance.md`` between the ``bench.federation`` markers is replaced; ``python -m
bench`` keeps it. ``SPOOL_BENCH_PORTS=first-last`` keeps the server and the stand-ins to that range of ports
(a shared machine's share); otherwise any free port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.cpu import Snapshot
from bench.datasets import start_from_migrated
from bench.fedwire import Request, StandIns, post_all
from bench.messaging import each_database, fresh_postgres, percentile, stop_server
from bench.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
MIX = ["Create"] * 8 + ["Like"] * 5 + ["Announce"] * 3 + ["Follow"] * 2 + ["Undo"] * 2
INGEST_SERVERS = 20
FANOUT_DELAY = 0.05
TIMEOUT = 600.0  # seconds to wait for processing or delivery before giving up on a phase
# Celery's line for each task a worker ran (``--loglevel=info``).
TASK_LINE = re.compile(r"Task (?P<name>[\w.]+)\[[^\]]+\] succeeded in (?P<seconds>[\d.e-]+)s: (?P<result>.*)")


# --- Setup (in the child, Django set up, tasks run eagerly) ----------------------------------------------


@dataclass
class Remote:
    uri: str
    key_id: str
    private_pem: str


@dataclass
class World:
    locals_: list[int]  # local account ids (federating)
    posts: list[int]  # their posts
    remotes: list[Remote]  # remote actors that send (ingest)
    star: int  # the local account with the fan-out followers
    star_token: str
    sender_keys: dict[str, str] = field(default_factory=dict)  # local key id → public PEM
    fanout_hosts: list[str] = field(default_factory=list)


def _remote_document(uri: str, public_pem: str) -> dict[str, Any]:
    parts = urlsplit(uri)
    base = f"{parts.scheme}://{parts.netloc}"
    return {
        "id": uri,
        "type": "Person",
        "preferredUsername": uri.rsplit("/", 1)[-1],
        "name": "Bench " + uri.rsplit("/", 1)[-1],
        "inbox": f"{uri}/inbox",
        "followers": f"{uri}/followers",
        "endpoints": {"sharedInbox": f"{base}/inbox"},
        "manuallyApprovesFollowers": False,
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": public_pem},
    }


def build(actors: int, fanout: int, ingest_port: int, fanout_port: int) -> World:
    """Local people with posts (federating), ``actors`` remote senders that they follow, and a star
    followed by ``fanout`` remote actors on servers of their own. Remote actors are stored through the
    same code as a fetched actor document (:func:`spool.federation.actors.store_actor`)."""
    from django.db import transaction

    from spool.federation import ids
    from spool.federation.actors import store_actor
    from spool.federation.keys import generate_key_pair, local_key
    from spool.federation.policy import set_federation
    from spool.federation.vocab import Actor
    from spool.identities.models import Account, Follow
    from spool.identities.services import register_account
    from spool.oauth import scopes
    from spool.oauth.services import create_application, issue_token
    from spool.posts.services import create_post

    with transaction.atomic():
        people = [
            register_account(email=f"l{i}@fedbench.test", password="fedbench password 1", handle=f"l{i}")
            for i in range(10)
        ]
        posts = [create_post(p, text=f"Local post {j} by {p.handle}").id for p in people for j in range(5)]
        star = register_account(email="star@fedbench.test", password="fedbench password 1", handle="star")
        for account in [*people, star]:
            set_federation(account, True)
            local_key(account)
        app = create_application(
            name="fedbench", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write"
        )
        token = issue_token(app.application, star, scopes.parse("read write")).access_token
    remotes, edges = [], []
    for i in range(actors):
        uri = f"http://127.0.2.{i % INGEST_SERVERS + 1}:{ingest_port}/users/r{i}"
        private_pem, public_pem = generate_key_pair()
        account = store_actor(Actor.from_json(_remote_document(uri, public_pem)))
        remotes.append(Remote(uri, f"{uri}#main-key", private_pem))
        edges.append(Follow(follower_id=people[i % len(people)].pk, followee_id=account.pk))
    _, shared_pem = generate_key_pair()  # the fan-out followers never sign: one key for all
    hosts = []
    for i in range(fanout):
        host = f"127.0.1.{i + 1}:{fanout_port}"
        account = store_actor(Actor.from_json(_remote_document(f"http://{host}/users/f{i}", shared_pem)))
        edges.append(Follow(follower_id=account.pk, followee_id=star.pk))
        hosts.append(host)
    Follow.objects.bulk_create(edges, ignore_conflicts=True)
    Account.objects.filter(pk=star.pk).update(followers_count=fanout)
    keys = {ids.key_id(a.pk): local_key(a).public_key_pem for a in [*people, star]}
    return World([p.pk for p in people], posts, remotes, star.pk, token, keys, hosts)


def activities(world: World, count: int, tag: str, seed: int) -> list[tuple[Remote, str, dict[str, Any]]]:
    """``count`` activities in the mix (see the module docstring): (sender, inbox path, activity)."""
    from spool.federation import ids

    rng = random.Random(seed)
    out: list[tuple[Remote, str, dict[str, Any]]] = []
    undoable: dict[str, list[dict[str, Any]]] = {}
    followed: set[tuple[str, int]] = set()
    for n in range(count):
        actor = world.remotes[n % len(world.remotes)]
        kind = rng.choice(MIX)
        base = f"{actor.uri}/statuses/{tag}{n}"
        post_uri = ids.post_uri(rng.choice(world.posts))
        path = "/ap/inbox"
        if kind == "Follow":
            target = next((t for t in world.locals_ if (actor.uri, t) not in followed), None)
            if target is None:
                kind = "Like"
            else:
                followed.add((actor.uri, target))
                path = f"/ap/accounts/{target}/inbox"
                activity = {"id": f"{base}#follow", "type": "Follow", "object": ids.actor_uri(target)}
        if kind == "Undo" and not undoable.get(actor.uri):
            kind = "Like"
        if kind == "Create":
            mention = ids.actor_uri(rng.choice(world.locals_)) if n % 4 == 0 else None
            note = {
                "id": base,
                "type": "Note",
                "attributedTo": actor.uri,
                "content": f'<p>Bench note {n} from the fediverse with a <a href="{actor.uri}">link</a> '
                'and a tag <a href="https://example.org/tags/fediverse" rel="tag">#fediverse</a>. '
                "Some more words so the post is the size of a real one, about two lines long.</p>",
                "published": "2026-11-23T12:00:00Z",
                "to": [PUBLIC],
                "cc": [f"{actor.uri}/followers", *([mention] if mention else [])],
                "tag": [
                    {"type": "Hashtag", "name": "#fediverse", "href": "https://example.org/tags/fediverse"},
                    *([{"type": "Mention", "href": mention, "name": "@someone"}] if mention else []),
                ],
                "sensitive": False,
                "attachment": [],
            }
            activity = {"id": f"{base}/activity", "type": "Create", "object": note, "to": note["to"]}
            activity["cc"] = note["cc"]
        elif kind == "Like":
            activity = {"id": f"{base}#like", "type": "Like", "object": post_uri}
        elif kind == "Announce":
            activity = {"id": f"{base}/activity", "type": "Announce", "object": post_uri, "to": [PUBLIC]}
        elif kind == "Undo":
            inner = undoable[actor.uri].pop()
            activity = {"id": f"{base}#undo", "type": "Undo", "object": inner}
        activity = {"@context": "https://www.w3.org/ns/activitystreams", **activity, "actor": actor.uri}
        if kind in ("Like", "Follow"):
            undoable.setdefault(actor.uri, []).append({k: v for k, v in activity.items() if k != "@context"})
        out.append((actor, path, activity))
    return out


def signed(items: list[tuple[Remote, str, dict[str, Any]]], host: str) -> list[Request]:
    """Each activity as the POST a remote server would send: body and real signature headers."""
    from spool.federation.signatures import sign_request

    requests = []
    for actor, path, activity in items:
        body = json.dumps(activity, separators=(",", ":")).encode()
        headers = {"Host": host, "Content-Type": "application/activity+json"}
        headers.update(
            sign_request(
                "POST",
                f"http://{host}{path}",
                headers,
                body,
                key_id=actor.key_id,
                private_pem=actor.private_pem,
            )
        )
        requests.append(Request(path, headers, body))
    return requests


def key_costs(world: World, rounds: int = 5) -> dict[str, float]:
    """Milliseconds to sign a delivery with a key parsed from its PEM each time (as before keys were kept
    parsed) and with the kept key; the same for verifying an inbound signature."""
    from spool.federation import keys

    private_pem = world.remotes[0].private_pem
    data = b"(request-target): post /ap/inbox\nhost: example\ndate: now\ndigest: SHA-256=x"
    signature = keys.sign(private_pem, data)
    public_pem = (
        keys._private_key(private_pem)
        .public_key()
        .public_bytes(keys.serialization.Encoding.PEM, keys.serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )

    def timed(call: Any, clear: Any) -> float:
        total = 0.0
        for _ in range(rounds):
            if clear:
                clear()
            started = time.perf_counter()
            call()
            total += time.perf_counter() - started
        return round(total * 1000 / rounds, 2)

    return {
        "sign_parsing_ms": timed(lambda: keys.sign(private_pem, data), keys._private_key.cache_clear),
        "sign_kept_ms": timed(lambda: keys.sign(private_pem, data), None),
        "verify_parsing_ms": timed(
            lambda: keys.verify(public_pem, signature, data), keys._public_key.cache_clear
        ),
        "verify_kept_ms": timed(lambda: keys.verify(public_pem, signature, data), None),
    }


# --- Processes: the server and the worker ----------------------------------------------------------------


class Processes:
    """The server (``bench.serve``) and a Celery worker, sharing the child's environment and data folder."""

    def __init__(self, database: str, db_name: str, data_dir: Path, port: int, web: int) -> None:
        self.database, self.db_name, self.data_dir, self.port, self.web = (
            database,
            db_name,
            data_dir,
            port,
            web,
        )
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.machine: Snapshot | None = None  # sampled while waiting (see :meth:`check`)
        self.log: Path | None = None  # the worker's output (``--loglevel=info``: a line per task run)
        # The PostgreSQL database whose backends' CPU the ingest counts (none on SQLite).
        self.pg_name = db_name if database == "postgres" else None

    def start_server(self) -> None:
        import requests

        command = [sys.executable, "-m", "bench.serve", "--database", self.database, "--name", self.db_name]
        command += ["--prefix", os.environ["SPOOL_KEY_PREFIX"], "--port", str(self.port)]
        command += ["--workers", str(self.web), "--data-dir", str(self.data_dir)]
        self.server = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/.well-known/nodeinfo", timeout=5).ok:
                    time.sleep(2 if self.web > 1 else 0)  # every worker process up
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise SystemExit("bench.federation: the server did not start")

    def start_worker(self, extra_env: dict[str, str] | None = None) -> None:
        """A Celery worker: ``solo`` on SQLite (as ``manage.py serve`` runs it), two processes on PostgreSQL;
        returns once it is ready."""
        pool = ["--pool=solo"] if self.database == "sqlite" else ["--pool=prefork", "--concurrency=2"]
        log = self.log = self.data_dir / f"worker-{time.monotonic_ns()}.log"
        command = [sys.executable, "-m", "celery", "-A", "spool", "worker", *pool, "--loglevel=info"]
        command += [
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"fedbench{os.getpid()}@%h",
        ]
        with log.open("wb") as out:
            self.worker = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **(extra_env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while b"ready." not in log.read_bytes():
            if self.worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench.federation: the worker did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)

    def cpu(self) -> tuple[float, float]:
        """CPU seconds the server and the worker (with their child processes) have used so far."""
        from bench.messaging import cpu_seconds

        return (
            cpu_seconds(self.server.pid) if self.server else 0.0,
            cpu_seconds(self.worker.pid) if self.worker else 0.0,
        )

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log else 0

    def tasks_since(self, offset: int) -> dict[str, dict[str, float]]:
        """The tasks the worker ran since its log was ``offset`` bytes long, by name: how many, their wall
        seconds in all, and (``drain_inbox``) how many found nothing to apply (they returned 0)."""
        if self.log is None:
            return {}
        with self.log.open("rb") as text:
            text.seek(offset)
            lines = text.read().decode(errors="replace").splitlines()
        tasks: dict[str, dict[str, float]] = {}
        for line in lines:
            found = TASK_LINE.search(line)
            if found is None:
                continue
            name = found["name"].rsplit(".", 1)[-1]
            entry = tasks.setdefault(name, {"runs": 0, "seconds": 0.0, "empty": 0})
            entry["runs"] += 1
            entry["seconds"] = round(entry["seconds"] + float(found["seconds"]), 3)
            entry["empty"] += found["result"].strip() == "0"
        return tasks

    def check(self) -> None:
        """Stop the run when the worker died (waiting for work it will never do would only time out); sample
        the PostgreSQL backends' CPU meanwhile."""
        if self.machine is not None:
            self.machine.sample()
        if self.worker is not None and self.worker.poll() is not None:
            raise SystemExit(f"bench.federation: the worker exited with {self.worker.returncode}")

    def stop_worker(self) -> None:
        if self.worker is not None:
            stop_server(self.worker)
        self.worker = None

    def stop(self) -> None:
        self.stop_worker()
        if self.server is not None:
            stop_server(self.server)


# --- The phases ------------------------------------------------------------------------------------------


def _states(tag: str) -> dict[str, int]:
    from django.db.models import Count

    from spool.federation.models import InboxItem

    rows = (
        InboxItem.objects.filter(activity_id__contains=f"/statuses/{tag}")
        .values("state")
        .annotate(n=Count("id"))
    )
    return {row["state"]: row["n"] for row in rows}


def _wait_processed(processes: Processes, tag: str, expected: int) -> float | None:
    """Poll until none of the run's inbox items is pending; when that happened (perf_counter)."""
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        processes.check()
        states = _states(tag)
        if sum(states.values()) >= expected and not states.get("pending"):
            return time.perf_counter()
        time.sleep(0.1)
    return None


def queued_tasks() -> int:
    """Tasks waiting in the broker: the Redis list of the default queue, or the filesystem broker's files."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("redis"):
        import redis

        return int(redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("celery"))
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return sum(1 for name in os.listdir(folder) if name.endswith(".msg"))


def _wait_drained(processes: Processes) -> float | None:
    """Poll until the broker holds no task (the work the activities caused: timelines, search, spam
    scores, Accepts); when that happened (perf_counter)."""
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        processes.check()
        if queued_tasks() == 0:
            return time.perf_counter()
        time.sleep(0.2)
    return None


def _wait_delivered(processes: Processes, timeout: float = 120.0) -> None:
    """Poll until no delivery is pending (the Accepts that the run's Follows caused), or ``timeout``."""
    from spool.federation.models import Delivery

    deadline = time.perf_counter() + timeout
    while Delivery.objects.filter(state=Delivery.State.PENDING).exists() and time.perf_counter() < deadline:
        processes.check()
        time.sleep(0.2)


def ingest(
    world: World, processes: Processes, count: int, connections: int, tag: str, seed: int
) -> dict[str, Any]:
    """One ingest run (see the module docstring)."""
    port = processes.port
    host = f"127.0.0.1:{port}"
    items = activities(world, count, tag, seed)
    started = time.perf_counter()
    requests = signed(items, host)
    signing_s = time.perf_counter() - started
    load = [os.getloadavg()[0]]
    cpu, machine, driver = processes.cpu(), Snapshot(processes.pg_name), time.process_time()
    log_at = processes.log_size()
    processes.machine = machine
    begin = time.perf_counter()
    answers = asyncio.run(post_all("127.0.0.1", port, requests, connections))
    sent_s = time.perf_counter() - begin
    cpu_sent = processes.cpu()
    accepted = sum(1 for status, _ in answers if status == 202)
    done = _wait_processed(processes, tag, accepted)
    drained = _wait_drained(processes)
    cpu_done, machine_done = processes.cpu(), Snapshot(processes.pg_name)
    processes.machine = None
    driver_s = time.process_time() - driver
    load.append(os.getloadavg()[0])
    latencies = [seconds * 1000 for status, seconds in answers if status == 202]
    kinds: dict[str, int] = {}
    for _, _, activity in items:
        kinds[activity["type"]] = kinds.get(activity["type"], 0) + 1
    return {
        "activities": count,
        "mix": kinds,
        "connections": connections,
        "signing_s": round(signing_s, 1),
        "accepted": accepted,
        "refused": {
            str(s): sum(1 for a, _ in answers if a == s) for s in {a for a, _ in answers if a != 202}
        },
        "accepted_per_s": round(accepted / sent_s, 1),
        "processed_per_s": round(accepted / (done - begin), 1) if done else None,
        "processed_s": round(done - begin, 1) if done else None,
        # Until the broker was empty too: everything the activities caused had been done.
        "drained_s": round(drained - begin, 1) if drained else None,
        "states": _states(tag),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        # CPU time (user + system) of the server and the worker processes per accepted activity: what the
        # neighbours on a shared machine do not change. While sending, the server's; until processed, the
        # workers' (including the tasks the activities cause: timelines, search, notifications, Accepts).
        "server_cpu_ms": round((cpu_sent[0] - cpu[0]) * 1000 / max(accepted, 1), 2),
        "worker_cpu_ms": round((cpu_done[1] - cpu[1]) * 1000 / max(accepted, 1), 2),
        # Where the whole machine's CPU went, from the first POST until the queue was empty, per accepted
        # activity: what to cut (see :func:`_breakdown`).
        "cpu_ms": _breakdown(cpu, cpu_done, machine_done.since(machine), driver_s, accepted),
        # The tasks the workers ran meanwhile (how many drains, how many of them found nothing).
        "tasks": processes.tasks_since(log_at),
        "load": load,
    }


def _breakdown(
    cpu: tuple[float, float], cpu_done: tuple[float, float], machine: dict[str, float], driver: float, n: int
) -> dict[str, float]:
    """CPU milliseconds per activity over the whole ingest run: the server's processes, the workers',
    the PostgreSQL backends of the run's database (the bench's own polling included, a few queries a
    second), PostgreSQL's background processes and the Redis server (both shared with anything else on
    the machine that uses them), and this process (the load driver, the stand-in servers, the polling)."""
    seconds = {
        "server": cpu_done[0] - cpu[0],
        "worker": cpu_done[1] - cpu[1],
        **machine,
        "driver": driver,
    }
    return {name: round(value * 1000 / max(n, 1), 2) for name, value in seconds.items()}


def fan_out(world: World, processes: Processes, standins: StandIns, posts: int, label: str) -> dict[str, Any]:
    """``posts`` posts by the star, one after the other, each to its 250 remote servers."""
    import requests

    from spool.federation.models import Delivery

    port = processes.port
    session = requests.Session()
    runs = []
    load = [os.getloadavg()[0]]
    cpu = processes.cpu()
    for n in range(posts):
        started = time.perf_counter()
        response = session.post(
            f"http://127.0.0.1:{port}/api/v1/statuses",
            json={"status": f"Fan-out post {n} ({label})"},
            headers={"Authorization": f"Bearer {world.star_token}"},
            timeout=120,
        )
        response.raise_for_status()
        status_id = response.json()["id"]
        activity_id = (
            Delivery.objects.filter(sender_id=world.star, activity_id__contains=f"/posts/{status_id}")
            .values_list("activity_id", flat=True)
            .first()
        )
        reached: dict[str, float] = {}
        deadline = time.perf_counter() + TIMEOUT
        while activity_id and time.perf_counter() < deadline:
            reached = standins.reached(activity_id)
            if len(reached) >= len(world.fanout_hosts):
                break
            processes.check()
            time.sleep(0.05)
        seconds = [at - started for at in reached.values()]
        rows = Delivery.objects.filter(activity_id=activity_id, state=Delivery.State.DELIVERED)
        settle = time.perf_counter() + 60  # a row is marked delivered just after the server's answer arrives
        while (delivered := rows.count()) < len(reached) and time.perf_counter() < settle:
            processes.check()
            time.sleep(0.1)
        runs.append(
            {
                "inboxes": len(world.fanout_hosts),
                "reached": len(reached),
                "delivered_rows": delivered,
                "p50": percentile(seconds, 50),
                "p95": percentile(seconds, 95),
                "max": max(seconds) if seconds else None,
            }
        )
    load.append(os.getloadavg()[0])
    worker_cpu = processes.cpu()[1] - cpu[1]
    all_p95 = [r["p95"] for r in runs if r["p95"] is not None]
    return {
        "label": label,
        "posts": runs,
        "worst_p95": max(all_p95) if all_p95 else None,
        "worker_cpu_ms_per_delivery": round(worker_cpu * 1000 / max(posts * len(world.fanout_hosts), 1), 2),
        "load": load,
    }


# --- One database (child process) ------------------------------------------------------------------------


_taken: set[int] = set()


def _free_port() -> int:
    """A free loopback port; from ``SPOOL_BENCH_PORTS`` (``first-last``) when set (a shared machine's
    share of ports)."""
    import socket

    from bench.serve import free_port

    span = os.environ.get("SPOOL_BENCH_PORTS", "")
    if not span:
        return free_port()
    first, last = (int(x) for x in span.split("-"))
    for port in range(first, last + 1):
        if port in _taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise SystemExit(f"bench.federation: no free port in {span}")


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    postgres = args.database == "postgres"
    with tempfile.TemporaryDirectory(prefix="spool-bench-fed-") as tmp:
        port, ingest_port, fanout_port = _free_port(), _free_port(), _free_port()
        os.environ.update(
            DJANGO_SETTINGS_MODULE="spool.settings", SPOOL_DATA_DIR=tmp, SPOOL_DOMAIN=f"127.0.0.1:{port}",
            SPOOL_KEY_PREFIX=f"fedbench{os.getpid()}", SPOOL_DEBUG="1", SPOOL_FEDERATION_DEV_MODE="1",
            SPOOL_DEBUG_QUERIES="0",  # debug mode for development mode only: no recording of every query
        )  # fmt: skip
        if postgres:
            os.environ["DATABASE_URL"] = fresh_postgres(os.environ["DATABASE_URL"], "_fedbench")
            db_name = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
        else:
            for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
                os.environ.pop(name, None)
            db_name = str(Path(tmp) / "spool.sqlite3")
            start_from_migrated(Path(db_name))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection, connections

        from spool.celery import app

        call_command("migrate", verbosity=0)
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        app.conf.task_always_eager = True  # setup only: what it causes is done before the clock starts
        log = lambda text: print(f"bench.federation [{args.database}]: {text}", file=sys.stderr, flush=True)  # noqa: E731
        log(f"{args.actors} remote senders, {args.fanout} fan-out servers…")
        started = time.perf_counter()
        world = build(args.actors, args.fanout, ingest_port, fanout_port)
        app.conf.task_always_eager = False
        version = None
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0].split()[0]
        connections.close_all()
        costs = key_costs(world)
        result: dict[str, Any] = {
            "keys": costs,
            "database": args.database,
            "version": version,
            "broker": "Redis" if os.environ.get("REDIS_URL") else "filesystem",
            "server_processes": 2 if postgres else 1,
            "worker": "prefork, 2 processes" if postgres else "solo",
            "setup_s": round(time.perf_counter() - started, 1),
        }
        ingest_servers = StandIns(
            [(f"127.0.2.{i + 1}", ingest_port) for i in range(INGEST_SERVERS)], 0.0, world.sender_keys
        )
        fanout_servers = StandIns(
            [(h.split(":")[0], fanout_port) for h in world.fanout_hosts], FANOUT_DELAY, world.sender_keys
        )
        ingest_servers.start()
        fanout_servers.start()
        processes = Processes(args.database, db_name, Path(tmp), port, result["server_processes"])
        try:
            processes.start_server()
            if args.ingest:
                processes.start_worker()
                log("ingest warm-up…")
                ingest(world, processes, max(20, args.ingest // 20), args.connections, "w", 1)
                log(f"ingest: {args.ingest} activities over {args.connections} connections…")
                result["ingest"] = ingest(world, processes, args.ingest, args.connections, "m", 2)
                _wait_delivered(processes)
                result["ingest"]["accepts_delivered"] = ingest_servers.received
                processes.stop_worker()
            result["fanout"] = []
            for label, env in (
                ("one task per inbox (before)", {"SPOOL_FEDERATION_DELIVERY_CONCURRENCY": "1"}),
                ("batched, concurrent (after)", {}),
            ):
                if not args.posts:
                    break
                processes.start_worker(env)
                log(f"fan-out to {args.fanout} servers: {label}…")
                figures = fan_out(world, processes, fanout_servers, args.posts, label)
                figures["refused"] = fanout_servers.refused
                result["fanout"].append(figures)
                processes.stop_worker()
        finally:
            processes.stop()
            ingest_servers.stop()
            fanout_servers.stop()
    return result


# --- Report ----------------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def render(results: list[dict[str, Any]], command: str, load: str) -> str:
    from bench.report import machine

    facts = machine()
    lines = [
        "## Federation: inbox ingest and fan-out",
        "",
        f"`{command}` on {facts['CPU']}, {facts['cores (nproc)']} cores, {facts['memory']}, Python "
        f"{platform.python_version()}; load average over the run: {load}. The server and the workers run in "
        "processes of their own; the load driver and the stand-in remote servers (bare asyncio, one process) "
        "share the machine. Dataset: 11 local people (10 with 5 posts each), the remote senders below (each "
        "with its own 2048-bit RSA key, followed by a local person), and the publishing person's remote "
        "followers, each on a stand-in server of its own. Method: `bench/federation.py`.",
        "",
        "### Inbox ingest (target ≥ 500 activities/s accepted and processed)",
        "",
        "Signed POSTs sent back to back over keep-alive connections. *Processed/s* counts from the first "
        "POST until no inbox item of the run is pending; *queue empty after*: until the work those "
        "activities caused (timeline fan-out, search indexing, spam scores, Accepts) had been done too. "
        "CPU per activity is the server's (accepting) and "
        "the "
        "worker's (processing, with the tasks it causes) user + system time: the figure that does not depend "
        "on the neighbours.",
        "",
        "| Setup | Server / worker | Activities | Conn. | Accepted/s | Processed/s | Queue empty after "
        "| Accept p50 | p95 | p99 | Done / ignored / failed | Server CPU | Worker CPU | Load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        i = r.get("ingest")
        if not i:
            continue
        s = i["states"]
        pending = f" ({s['pending']} pending)" if s.get("pending") else ""
        version = f" {r['version']}" if r.get("version") else ""
        lines.append(
            " | ".join(
                [
                    f"| {r['database']}{version} + {r['broker']} broker",
                    f"{r['server_processes']} / {r['worker']}",
                    f"{i['activities']:,}",
                    str(i["connections"]),
                    f"{i['accepted_per_s']}/s",
                    f"{i['processed_per_s']}/s",
                    _s(i.get("drained_s")),
                    _ms(i["p50"]),
                    _ms(i["p95"]),
                    _ms(i["p99"]),
                    f"{s.get('done', 0)} / {s.get('ignored', 0)} / {s.get('failed', 0)}{pending}",
                    f"{i['server_cpu_ms']} ms",
                    f"{i['worker_cpu_ms']} ms",
                    f"{i['load'][0]:.1f} → {i['load'][1]:.1f} |",
                ]
            )
        )
    ran = [r for r in results if r.get("ingest")]
    if ran:
        mix = ", ".join(f"{k} {v}" for k, v in sorted(ran[0]["ingest"]["mix"].items()))
        refused = "; ".join(f"{r['database']}: {r['ingest']['refused'] or 'none'}" for r in ran)
        lines += ["", f"Mix sent ({ran[0]['database']}): {mix}. Refused answers: {refused}."]
        lines += [
            "",
            "Where the machine's CPU went, per activity, from the first POST until the queue was empty: the "
            "server, the workers, the PostgreSQL backends of the run's database, PostgreSQL's background "
            "processes and Redis (both shared with the rest of the machine), and the bench process (load "
            "driver, stand-in servers, polling).",
            "",
        ]
        for r in ran:
            c = r["ingest"].get("cpu_ms") or {}
            parts = [f"{name} {ms} ms" for name, ms in c.items() if r["database"] == "postgres" or ms]
            lines.append(f"- {r['database']}: {', '.join(parts)}; total {sum(c.values()):.2f} ms.")
            tasks = r["ingest"].get("tasks") or {}
            ran_tasks = ", ".join(
                f"{name} {t['runs']:.0f}" + (f" ({t['empty']:.0f} found nothing)" if "drain" in name else "")
                for name, t in sorted(tasks.items(), key=lambda kv: -kv[1]["runs"])
            )
            if ran_tasks:
                lines.append(f"  Tasks the workers ran: {ran_tasks}.")
    lines += [
        "",
        "### Fan-out of one post to remote shared inboxes that take 50 ms each (target p95 ≤ 5 s for 250)",
        "",
        "From the start of `POST /api/v1/statuses` to each stand-in server's 202 (after it checked the "
        "signature). *Before*: one task per inbox, sent one at a time (`SPOOL_FEDERATION_DELIVERY_CONCURRENCY"
        "=1`); *after*: batches sent over 16 connections at once (the default), same run, same worker.",
        "",
        "| Setup | Delivery | Post | Servers reached | Rows delivered | p50 | p95 | Last | Worker CPU per "
        "delivery | Load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for f in r.get("fanout", []):
            for n, p in enumerate(f["posts"], 1):
                cells = [
                    f"| {r['database']} + {r['broker']}",
                    f["label"],
                    str(n),
                    f"{p['reached']}/{p['inboxes']}",
                    str(p["delivered_rows"]),
                    _s(p["p50"]),
                    _s(p["p95"]),
                    _s(p["max"]),
                    f"{f['worker_cpu_ms_per_delivery']} ms",
                    f"{f['load'][0]:.1f} → {f['load'][1]:.1f} |",
                ]
                lines.append(" | ".join(cells))
    lines += [
        "",
        "Signing and verifying with a key parsed from its PEM text each time (before) and kept parsed "
        "(after), in the same run:",
        "",
    ]
    for r in results:
        k = r["keys"]
        lines.append(
            f"- {r['database']} run: sign {k['sign_parsing_ms']} ms → {k['sign_kept_ms']} ms; verify "
            f"{k['verify_parsing_ms']} ms → {k['verify_kept_ms']} ms."
        )
    lines += ["", *verdict(results)]
    return "\n".join(lines) + "\n"


def verdict(results: list[dict[str, Any]]) -> list[str]:
    out = ["Against the targets:"]
    for r in results:
        parts = []
        i = r.get("ingest")
        if i:
            rate = min(i["accepted_per_s"], i["processed_per_s"] or 0)
            parts.append(f"ingest {'met' if rate >= 500 else 'not met'} ({rate:g}/s accepted and processed")
            cpu_ms = i["server_cpu_ms"] + i["worker_cpu_ms"]
            if cpu_ms > 0:
                # What the CPU time per activity allows when the server and the workers have every core.
                ceiling = (os.cpu_count() or 1) * 1000 / cpu_ms
                parts[-1] += f"; its CPU time per activity allows at most {ceiling:.0f}/s on these cores)"
            else:
                parts[-1] += ")"
        after = [f for f in r.get("fanout", []) if "after" in f["label"]]
        if after and after[0]["worst_p95"] is not None:
            p95 = after[0]["worst_p95"]
            parts.append(f"fan-out {'met' if p95 <= 5 else 'not met'} (worst p95 {p95:.2f} s)")
        out.append(f"- {r['database']}: {'; '.join(parts) or 'not run'}.")
    loads = [
        x
        for r in results
        for part in [r.get("ingest") or {}, *r.get("fanout", [])]
        for x in part.get("load", [])
    ]
    cores = os.cpu_count() or 1
    if loads and max(loads) > cores:
        out += [
            "",
            f"**Taken on a busy machine** (load average up to {max(loads):.1f} on {cores} cores): the server "
            "and the workers got only part of the CPU, so the rates are lower bounds. Re-run the same "
            "command on a quiet machine for figures to hold the targets against.",
        ]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.federation", description=__doc__)
    parser.add_argument("--ingest", type=int, default=5000, help="activities in the measured ingest run")
    parser.add_argument("--actors", type=int, default=50, help="remote actors sending them")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--fanout", type=int, default=250, help="remote servers following the publisher")
    parser.add_argument("--posts", type=int, default=3, help="posts published to them, per delivery mode")
    parser.add_argument("--databases", default="", help="sqlite,postgres (default: postgres too when set)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"), help="'' to write no page")
    parser.add_argument("--results", default="", help="also write every figure to this JSON file")
    parser.add_argument("--database", help=argparse.SUPPRESS)  # one database, in a child process
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.database:
        Path(args.json).write_text(json.dumps(run_one(args)))
        return
    passed = argv if argv is not None else sys.argv[1:]
    load_before = os.getloadavg()[0]
    results = each_database("bench.federation", args.databases, passed)
    load = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    files = ("--out", "--results")
    shown = [a for i, a in enumerate(passed) if a not in files and (i == 0 or passed[i - 1] not in files)]
    section = render(results, " ".join(["python -m bench.federation", *shown]), load)
    print(section)
    if args.results:
        Path(args.results).write_text(json.dumps(results, indent=2))
    if args.out:
        write_section("federation", Path(args.out), section)


if __name__ == "__main__":
    main()
