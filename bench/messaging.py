"""``python -m bench.messaging``: direct messages over WebSockets, end to end, against real servers, on
SQLite (embedded: one uvicorn process, in-process channel layer) and, when ``DATABASE_URL`` (PostgreSQL) and
``REDIS_URL`` are set, on PostgreSQL + Redis (the Redis channel layer, two uvicorn processes). Each database
runs in its own child process; the server runs in its own process(es), apart from the load driver.

Per database:

1. **Setup**: ``--clients`` people (default 1,000) in pairs who follow each other, each pair with a
   conversation, each person with a token (for the socket) and a session (for sending).
2. **Connect**: every person opens ``/ws/messages`` and stays connected.
3. **Capacity** (throughput, reported on its own): ``--senders`` clients send back to back for
   ``--capacity-seconds``; the figure is messages accepted per second.
4. **Latency** at a sustainable rate: messages are offered at a fixed rate (``--rate``, or by default half
   the measured capacity, so the server is not queueing) for ``--seconds``; each latency runs from the
   start of the HTTP POST that sends a message to the ``message.new`` frame on the recipient's socket.
   Nothing is sent faster because earlier sends are slow (open loop): a server that cannot keep up shows
   it as latency. A ``503`` (database busy) is retried after ``Retry-After`` with the same
   ``Idempotency-Key``; the retries are counted, and the latency includes them.
5. **Idle connections**: ``--idle`` (default 10,000) more sockets are opened to one server process and
   left idle; the figure is how many it holds (and its memory), checked by a ping on a sample of them.

The section of ``docs/performance.md`` between the markers below is replaced; ``python -m bench`` keeps it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
CSRF = "benchbenchbenchbenchbenchbench12"  # a 32-character CSRF secret sent as cookie and header
DEADLINE = 15.0  # seconds a sent message may take to arrive before it counts as lost


def raise_file_limit() -> int:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# --- Setup (in the child process, before the server starts) ----------------------------------------------


@dataclass
class Person:
    id: int
    token: str
    session: str
    conversation_id: int = 0


def build(clients: int) -> list[Person]:
    """``clients`` people in pairs who follow each other, each pair with a conversation; a token and a
    session per person. One transaction: setup is not what is measured."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    from spool.identities.services import follow_account, register_account
    from spool.messaging.services import start_conversation
    from spool.oauth import scopes as scope_rules
    from spool.oauth.services import create_application, issue_token

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people: list[Person] = []
    with transaction.atomic():
        app = create_application(name="bench", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write")
        accounts = []
        for i in range(clients):
            account = register_account(
                email=f"b{i}@bench.example",
                password="bench password 123",
                handle=f"b{i}",
                client_address=None,
            )
            accounts.append(account)
            token = issue_token(app.application, account, scope_rules.parse("read write")).access_token
            client = Client()
            client.force_login(account.user)
            people.append(Person(account.pk, token, client.cookies["sessionid"].value))
        for i in range(0, clients - 1, 2):
            a, b = accounts[i], accounts[i + 1]
            follow_account(a, b)
            follow_account(b, a)
            message = start_conversation(a, b, text="hello")
            people[i].conversation_id = people[i + 1].conversation_id = message.conversation_id
    return people


def fresh_postgres(url: str, suffix: str = "_msgbench") -> str:
    """A new, empty database beside the one ``url`` names (``<name><suffix>``); its URL."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- The server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, env: dict[str, str], processes: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "spool.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", "--no-access-log", "--backlog", "4096", "--workers", str(processes),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT, preexec_fn=raise_file_limit)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(2 if processes > 1 else 0)  # let every worker start
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def server_pids(pid: int) -> list[int]:
    """The server process and its children (uvicorn's workers)."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return pids + [int(c) for c in children]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the server's processes have used (Linux ``/proc``): a figure that, unlike
    wall time, does not grow when other work shares the machine."""
    total = 0.0
    for p in server_pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_mb(pid: int) -> float:
    total = 0.0
    for p in server_pids(pid):
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


# --- The load driver -------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one phase sent and received."""

    started: dict[str, float] = field(default_factory=dict)  # text → POST start (perf_counter)
    received: dict[str, float] = field(default_factory=dict)  # text → first arrival at the recipient
    copies: Counter[str] = field(default_factory=Counter)  # text → message.new frames at the recipient
    accepted: int = 0
    failed: int = 0
    retries: int = 0
    lock = threading.Lock()

    def latencies_ms(self) -> list[float]:
        return sorted((self.received[t] - self.started[t]) * 1000 for t in self.received if t in self.started)


async def open_socket(port: int, token: str, limit: asyncio.Semaphore) -> Any:
    from websockets.asyncio.client import connect

    async with limit:
        ws = await connect(
            f"ws://127.0.0.1:{port}/ws/messages?access_token={token}", open_timeout=120, ping_interval=None
        )
        await ws.recv()  # caught_up
        return ws


async def read_frames(ws: Any, me: int, tallies: list[Tally]) -> None:
    try:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") != "message.new":
                continue
            message = frame["message"]
            text = message["text"]
            if text.startswith("bench:") and message["sender"]["id"] != str(me):
                now = time.perf_counter()
                tally = tallies[int(text.split(":")[1])]
                tally.received.setdefault(text, now)
                tally.copies[text] += 1
    except Exception:
        pass


_local = threading.local()


def post_message(port: int, person: Person, text: str, tally: Tally) -> None:
    """Send one message (session auth); on 503 wait ``Retry-After`` and send again with the same key."""
    import requests

    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    for _attempt in range(6):
        try:
            response = session.post(
                f"http://127.0.0.1:{port}/api/spool/v1/messaging/conversations/{person.conversation_id}/messages",
                data=json.dumps({"text": text}),
                headers={"Content-Type": "application/json", "X-CSRFToken": CSRF, "Idempotency-Key": text},
                cookies={"sessionid": person.session, "csrftoken": CSRF},
                timeout=60,
            )
        except requests.RequestException:
            break
        if response.status_code == 503:
            with tally.lock:
                tally.retries += 1
            time.sleep(float(response.headers.get("Retry-After", "1")))
            continue
        with tally.lock:
            if response.status_code == 201:
                tally.accepted += 1
            else:
                tally.failed += 1
        return
    with tally.lock:
        tally.failed += 1


def sender_of(people: list[Person], n: int) -> Person:
    pairs = len(people) // 2
    return people[2 * (n % pairs) + (n // pairs) % 2]  # every pair in turn, both sides


async def settle(tally: Tally) -> None:
    deadline = time.perf_counter() + DEADLINE
    while len(tally.received) < tally.accepted and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)


async def capacity(
    port: int, people: list[Person], tally: Tally, phase: int, senders: int, seconds: float
) -> float:
    """Closed loop: ``senders`` clients each send their next message as soon as the last is answered."""
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=senders)
    counter = iter(range(10**9))
    stop = time.perf_counter() + seconds

    def worker() -> None:
        while time.perf_counter() < stop:
            n = next(counter)
            text = f"bench:{phase}:{n}"
            tally.started[text] = time.perf_counter()
            post_message(port, sender_of(people, n), text, tally)

    begin = time.perf_counter()
    await asyncio.gather(*(loop.run_in_executor(pool, worker) for _ in range(senders)))
    elapsed = time.perf_counter() - begin
    pool.shutdown()
    await settle(tally)
    return tally.accepted / elapsed


async def offered(
    port: int, people: list[Person], tally: Tally, phase: int, rate: float, seconds: float
) -> None:
    """Open loop: message *n* is sent at ``n / rate`` seconds, whatever happened to the others."""
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=64)
    pending = []
    begin = time.perf_counter()
    for n in range(max(1, round(rate * seconds))):
        delay = begin + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        text = f"bench:{phase}:{n}"
        tally.started[text] = time.perf_counter()
        pending.append(loop.run_in_executor(pool, post_message, port, sender_of(people, n), text, tally))
    await asyncio.gather(*pending)
    pool.shutdown()
    await settle(tally)


async def connected_phases(
    port: int, pid: int, people: list[Person], args: argparse.Namespace
) -> dict[str, Any]:
    tallies = [Tally(), Tally(), Tally()]  # capacity, latency, warm-up
    limit = asyncio.Semaphore(100)
    started, cpu = time.perf_counter(), cpu_seconds(pid)
    sockets = await asyncio.gather(*(open_socket(port, p.token, limit) for p in people))
    connect_s, connect_cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
    readers = [
        asyncio.create_task(read_frames(ws, p.id, tallies)) for ws, p in zip(sockets, people, strict=True)
    ]
    load = [os.getloadavg()[0]]
    # Warm-up (not counted): each server process answers its first requests slowly (imports, caches).
    await capacity(port, people, tallies[2], 2, args.senders, 5.0)
    per_second = await capacity(port, people, tallies[0], 0, args.senders, args.capacity_seconds)
    rate = args.rate or max(1.0, round(per_second / 2))
    cpu = cpu_seconds(pid)
    await offered(port, people, tallies[1], 1, rate, args.seconds)
    cpu_per_message = (cpu_seconds(pid) - cpu) / max(tallies[1].accepted, 1)
    load.append(os.getloadavg()[0])
    for ws in sockets:
        await ws.close()
    for reader in readers:
        reader.cancel()
    lat = tallies[1].latencies_ms()
    return {
        "clients": len(people),
        "connect_s": round(connect_s, 1),
        "connect_cpu_ms": round(connect_cpu * 1000 / len(people), 2),
        "capacity_per_s": round(per_second, 1),
        "capacity_lost": tallies[0].accepted - len(tallies[0].received),
        "capacity_retries": tallies[0].retries,
        "capacity_failed": tallies[0].failed,
        "rate": rate,
        "accepted": tallies[1].accepted,
        "failed": tallies[1].failed,
        "retries": tallies[1].retries,
        "lost": tallies[1].accepted - len(tallies[1].received),
        "duplicates": sum(n - 1 for t in tallies for n in t.copies.values() if n > 1),
        "p50": statistics.median(lat) if lat else None,
        "p95": percentile(lat, 95) if lat else None,
        "p99": percentile(lat, 99) if lat else None,
        "max": max(lat) if lat else None,
        "server_cpu_ms_per_message": round(cpu_per_message * 1000, 1),
        "load": load,
    }


async def idle_phase(port: int, token: str, count: int, server_pid: int) -> dict[str, Any]:
    limit = asyncio.Semaphore(200)
    rss_before = rss_mb(server_pid)
    started, cpu = time.perf_counter(), cpu_seconds(server_pid)
    outcomes = await asyncio.gather(
        *(open_socket(port, token, limit) for _ in range(count)), return_exceptions=True
    )
    opened = [ws for ws in outcomes if not isinstance(ws, BaseException)]
    seconds = time.perf_counter() - started
    cpu_ms = (cpu_seconds(server_pid) - cpu) * 1000
    await asyncio.sleep(2)
    rss_after = rss_mb(server_pid)
    sample = opened[:: max(1, len(opened) // 100)]
    alive = 0
    for ws in sample:  # still alive: a sample of them answers a ping frame
        try:
            await ws.send(json.dumps({"type": "ping"}))
            while json.loads(await asyncio.wait_for(ws.recv(), 10)).get("type") != "pong":
                pass
            alive += 1
        except Exception:
            continue
    for ws in opened:
        await ws.close()
    return {
        "wanted": count,
        "held": len(opened),
        "open_seconds": round(seconds, 1),
        "rss_before_mb": round(rss_before),
        "rss_after_mb": round(rss_after),
        "kib_per_connection": round((rss_after - rss_before) * 1024 / max(len(opened), 1), 1),
        "sample_alive": f"{alive}/{len(sample)}",
        "cpu_ms_per_connection": round(cpu_ms / max(len(opened), 1), 2),
        "errors": sorted({type(o).__name__ for o in outcomes if isinstance(o, BaseException)}),
    }


def percentile(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile (0-100, nearest rank) of ``values``; ``None`` for no values (a zero-size
    run measured nothing)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


# --- One database (child process) ------------------------------------------------------------------------


def run_one(args: argparse.Namespace) -> None:
    raise_file_limit()
    postgres = args.database == "postgres"
    with tempfile.TemporaryDirectory(prefix="spool-bench-dm-") as tmp:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="spool.settings", SPOOL_DATA_DIR=tmp)
        env["SPOOL_KEY_PREFIX"] = f"benchdm{os.getpid()}"
        if postgres:
            env["DATABASE_URL"] = fresh_postgres(os.environ["DATABASE_URL"])
        else:
            env.pop("DATABASE_URL", None)
            env.pop("REDIS_URL", None)
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("migrate", verbosity=0)
        version = None
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0].split()[0]
        started = time.perf_counter()
        print(f"bench.messaging [{args.database}]: {args.clients} people…", file=sys.stderr)
        people = build(args.clients)
        setup_s = time.perf_counter() - started
        connections.close_all()
        processes = 2 if postgres and env.get("REDIS_URL") else 1
        result: dict[str, Any] = {
            "database": args.database,
            "version": version,
            "layer": "Redis" if env.get("REDIS_URL") else "in-process",
            "processes": processes,
            "setup_s": round(setup_s),
        }
        port = free_port()
        server = start_server(port, env, processes)
        try:
            print(f"bench.messaging [{args.database}]: connected clients…", file=sys.stderr)
            result["connected"] = asyncio.run(connected_phases(port, server.pid, people, args))
        finally:
            stop_server(server)
        if args.idle:
            server = start_server(port, env, 1)
            try:
                print(f"bench.messaging [{args.database}]: idle connections…", file=sys.stderr)
                result["idle"] = asyncio.run(idle_phase(port, people[0].token, args.idle, server.pid))
            finally:
                stop_server(server)
    Path(args.json).write_text(json.dumps(result))


# --- Report ----------------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def render(results: list[dict[str, Any]], command: str, load: str) -> str:
    lines = [
        "## Direct messages over WebSockets",
        "",
        f"`{command}` on {platform.node() or 'this machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. The server runs in its own process(es); the load driver (one more "
        f"process: the sockets, the HTTP senders) shares the machine. Load average over the run: {load}.",
        "",
        "Capacity: messages accepted per second with several clients sending back to back (each send is an "
        "HTTP POST: session auth, validation, the write and commit, rendering once, pushing to both parties' "
        "sockets). Latency: messages offered at a fixed rate (half the capacity unless `--rate` is given), "
        "from the start of the POST to the `message.new` frame on the recipient's socket.",
        "",
        "| Setup | Server processes | Connected clients | Capacity | Offered rate | Sent | p50 | p95 | p99 | "
        "max | Lost | Duplicates | 503 retries | Failed | Server CPU per message |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r["connected"]
        setup = f"{r['database']}{' ' + str(r['version']) if r.get('version') else ''} + {r['layer']} layer"
        lines.append(
            f"| {setup} | {r['processes']} | {c['clients']:,} | {c['capacity_per_s']}/s | {c['rate']:g}/s | "
            f"{c['accepted']:,} | {_ms(c['p50'])} | {_ms(c['p95'])} | {_ms(c['p99'])} | {_ms(c['max'])} | "
            f"{c['lost']} | {c['duplicates']} | {c['retries']} | {c['failed']} | "
            f"{c['server_cpu_ms_per_message']} ms |"
        )
    lines += [""]
    for r in results:
        c = r["connected"]
        lines.append(
            f"- {r['database']}: setup {r['setup_s']} s; connecting {c['clients']:,} sockets took "
            f"{c['connect_s']} s ({c['connect_cpu_ms']} ms of server CPU each); during the capacity phase "
            f"{c['capacity_lost']} lost, {c['capacity_retries']} retried after 503, {c['capacity_failed']} "
            f"failed; load average {c['load'][0]:.1f} → {c['load'][1]:.1f}."
        )
    idle = [r for r in results if "idle" in r]
    if idle:
        lines += [
            "",
            "Idle connections held by one server process:",
            "",
            "| Setup | Wanted | Held | Opened in | Server CPU per connection | Server memory before → after "
            "| Per connection | Ping sample | Errors |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in idle:
            i = r["idle"]
            lines.append(
                f"| {r['database']} + {r['layer']} layer | {i['wanted']:,} | {i['held']:,} "
                f"| {i['open_seconds']} s "
                f"| {i['cpu_ms_per_connection']} ms | {i['rss_before_mb']} → {i['rss_after_mb']} MB | "
                f"{i['kib_per_connection']} KiB | {i['sample_alive']} | {', '.join(i['errors']) or 'none'} |"
            )
    lines += ["", *verdict(results)]
    return "\n".join(lines) + "\n"


def verdict(results: list[dict[str, Any]]) -> list[str]:
    """The figures against issue 5's targets, and whether the machine was quiet enough to trust them."""
    out = [
        "Against the targets (p99 ≤ 200 ms with 1,000 connected clients; ≥ 10,000 idle connections held "
        "by one process):"
    ]
    for r in results:
        c, i = r["connected"], r.get("idle")
        p99 = c["p99"]
        met = (
            "met" if p99 is not None and p99 <= 200 and c["clients"] >= 1000 and not c["lost"] else "not met"
        )
        line = f"- {r['database']}: latency {met} (p99 {_ms(p99)} at {c['rate']:g}/s)"
        if i is not None:
            held = "met" if i["held"] >= 10_000 and i["held"] == i["wanted"] else "not met"
            line += f"; idle connections {held} ({i['held']:,} held)"
        out.append(line + ".")
    busiest = max(max(r["connected"]["load"]) for r in results)
    if busiest > (os.cpu_count() or 1):
        out += [
            "",
            f"**Taken on a busy machine** (load average up to {busiest:.1f} on {os.cpu_count()} cores): the "
            "server got only part of a core, so latencies include waiting for the CPU and the capacity is "
            "understated; "
            "server CPU per message is the figure that does not depend on the neighbours. Re-run the same "
            "command on a quiet machine for figures to hold the targets against.",
        ]
    return out


def each_database(module: str, databases_arg: str, passed: list[str]) -> list[dict[str, Any]]:
    """Run ``python -m <module> <passed> --database D --json FILE`` for each database (``--databases``, or
    SQLite and, when ``DATABASE_URL`` names PostgreSQL, PostgreSQL too), each in a process of its own; the
    JSON each wrote, in order."""
    databases = databases_arg.split(",") if databases_arg else ["sqlite"]
    if not databases_arg and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        databases.append("postgres")
    results = []
    with tempfile.TemporaryDirectory(prefix="spool-bench-") as tmp:
        for database in databases:
            out = Path(tmp) / f"{database}.json"
            command = [sys.executable, "-m", module, *passed, "--database", database, "--json", str(out)]
            subprocess.run(command, cwd=ROOT, check=True)
            results.append(json.loads(out.read_text()))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.messaging", description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders in the capacity phase")
    parser.add_argument("--capacity-seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=0.0, help="messages/s offered (0: half the capacity)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the latency phase")
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--databases", default="", help="sqlite,postgres (default: postgres too when set)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--database", help=argparse.SUPPRESS)  # one database, in a child process
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.database:
        run_one(args)
        return
    passed = argv if argv is not None else sys.argv[1:]
    load_before = os.getloadavg()[0]
    results = each_database("bench.messaging", args.databases, passed)
    load = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    shown = [a for i, a in enumerate(passed) if a != "--out" and (i == 0 or passed[i - 1] != "--out")]
    section = render(results, " ".join(["python -m bench.messaging", *shown]), load)
    print(section)
    write_section("messaging", Path(args.out), section)


if __name__ == "__main__":
    main()
