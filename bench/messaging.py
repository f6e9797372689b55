"""``python -m bench.messaging``: direct messages over WebSockets, end to end, against a real server.

1. **Send → delivery latency with many connected clients.** ``--clients`` people (default 1,000), paired
   into one-to-one conversations, each holds a WebSocket (``/ws/messages``, token auth) to one uvicorn
   process serving Spool's ASGI application (embedded setup: SQLite, in-process channel layer). Messages are
   sent through the HTTP API (``POST /api/spool/v1/messaging/conversations/<id>/messages``, session auth)
   at ``--rate`` per second; the latency of each is from the moment its POST starts to the moment the
   recipient's socket receives the ``message.new`` frame. Messages not received are counted as lost.
2. **Idle connections held by one process.** ``--idle`` (default 10,000) more sockets are opened and left
   idle; the figure is how many the server process holds (and its resident memory), checked by a ping
   answered on a sample of them at the end.

The driver (this process) and the server share the machine, so the figures include the driver's own load.
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
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

START = "<!-- bench.messaging:start -->"
END = "<!-- bench.messaging:end -->"
ROOT = Path(__file__).resolve().parent.parent
CSRF = "benchbenchbenchbenchbenchbench12"  # a 32-character CSRF secret sent as cookie and header


def raise_file_limit() -> int:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def carry_over(previous: str, report: str) -> str:
    """``report`` (a freshly rendered docs/performance.md) with the messaging section of ``previous``."""
    if START not in previous or END not in previous:
        return report
    block = previous[previous.index(START) : previous.index(END) + len(END)]
    return report.rstrip("\n") + "\n\n" + block + "\n"


def write_section(path: Path, section: str) -> None:
    text = path.read_text() if path.exists() else "# Performance\n"
    block = f"{START}\n{section.strip()}\n{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


# --- Setup (in this process, before the server starts) ---------------------------------------------------


@dataclass
class Person:
    id: int
    token: str
    session: str
    conversation_id: int = 0
    partner: int = -1


def build(clients: int) -> list[Person]:
    """``clients`` people in pairs who follow each other, each pair with a conversation; a token and a
    session per person."""
    from django.conf import settings
    from django.test import Client

    from spool.identities.services import follow_account, register_account
    from spool.messaging.services import start_conversation
    from spool.oauth import scopes as scope_rules
    from spool.oauth.services import create_application, issue_token

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    app = create_application(name="bench", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write")
    people: list[Person] = []
    accounts = []
    for i in range(clients):
        account = register_account(
            email=f"b{i}@bench.example", password="bench password 123", handle=f"b{i}", client_address=None
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
        for me, other in ((i, i + 1), (i + 1, i)):
            people[me].conversation_id = message.conversation_id
            people[me].partner = other
    return people


# --- The server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "spool.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", "--no-access-log", "--backlog", "4096",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT, preexec_fn=raise_file_limit)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (Linux ``/proc``): a figure that, unlike wall time,
    does not grow when other work shares the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- Phase 1: latency ------------------------------------------------------------------------------------


@dataclass
class Latency:
    sent: int = 0
    received: dict[str, float] = field(default_factory=dict)  # text → arrival (perf_counter)
    started: dict[str, float] = field(default_factory=dict)
    failed_sends: int = 0
    connect_seconds: float = 0.0
    server_cpu_connect_s: float = 0.0
    server_cpu_send_s: float = 0.0


async def open_socket(port: int, token: str, limit: asyncio.Semaphore) -> Any:
    from websockets.asyncio.client import connect

    async with limit:
        return await connect(
            f"ws://127.0.0.1:{port}/ws/messages?access_token={token}", open_timeout=60, ping_interval=None
        )


async def read_frames(ws: Any, me: int, result: Latency) -> None:
    try:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") != "message.new":
                continue
            message = frame["message"]
            text = message["text"]
            if text.startswith("bench:") and message["sender"]["id"] != str(me):
                result.received.setdefault(text, time.perf_counter())
    except Exception:
        pass


def post_message(port: int, person: Person, text: str) -> bool:
    import requests

    response = requests.post(
        f"http://127.0.0.1:{port}/api/spool/v1/messaging/conversations/{person.conversation_id}/messages",
        data=json.dumps({"text": text}),
        headers={"Content-Type": "application/json", "X-CSRFToken": CSRF},
        cookies={"sessionid": person.session, "csrftoken": CSRF},
        timeout=30,
    )
    return response.status_code == 201


async def latency_phase(port: int, pid: int, people: list[Person], messages: int, rate: float) -> Latency:
    result = Latency()
    limit = asyncio.Semaphore(100)
    started, cpu = time.perf_counter(), cpu_seconds(pid)
    sockets = await asyncio.gather(*(open_socket(port, p.token, limit) for p in people))
    result.connect_seconds = time.perf_counter() - started
    result.server_cpu_connect_s = cpu_seconds(pid) - cpu
    cpu = cpu_seconds(pid)
    readers = [
        asyncio.create_task(read_frames(ws, p.id, result)) for ws, p in zip(sockets, people, strict=True)
    ]
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=32)
    pending = []
    begin = time.perf_counter()
    for n in range(messages):
        due = begin + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        pairs = len(people) // 2
        sender = people[2 * (n % pairs) + (n // pairs) % 2]  # every pair in turn, both sides
        text = f"bench:{n}"
        result.started[text] = time.perf_counter()
        pending.append(loop.run_in_executor(pool, post_message, port, sender, text))
    outcomes = await asyncio.gather(*pending)
    result.sent = sum(outcomes)
    result.failed_sends = len(outcomes) - result.sent
    deadline = time.perf_counter() + 10
    while len(result.received) < result.sent and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    result.server_cpu_send_s = cpu_seconds(pid) - cpu
    for ws in sockets:
        await ws.close()
    for reader in readers:
        reader.cancel()
    pool.shutdown()
    return result


# --- Phase 2: idle connections ---------------------------------------------------------------------------


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
    # Still alive: a sample of them answers a ping frame.
    sample = opened[:: max(1, len(opened) // 100)]
    alive = 0
    for ws in sample:
        try:
            await ws.send(json.dumps({"type": "ping"}))
            if json.loads(await asyncio.wait_for(ws.recv(), 10)).get("type") == "pong":
                alive += 1
        except Exception:
            continue
    for ws in opened:
        await ws.close()
    errors = sorted({type(o).__name__ for o in outcomes if isinstance(o, BaseException)})
    return {
        "wanted": count,
        "held": len(opened),
        "open_seconds": round(seconds, 1),
        "rss_before_mb": round(rss_before),
        "rss_after_mb": round(rss_after),
        "kib_per_connection": round((rss_after - rss_before) * 1024 / max(len(opened), 1), 1),
        "sample_alive": f"{alive}/{len(sample)}",
        "cpu_ms_per_connection": round(cpu_ms / max(len(opened), 1), 2),
        "errors": errors,
    }


# --- Report ----------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def render(
    args: argparse.Namespace, latency: Latency, idle: dict[str, Any], setup_s: float, load: str
) -> str:
    samples = [(latency.received[t] - latency.started[t]) * 1000 for t in latency.received]
    lost = latency.sent - len(samples)
    command = (
        f"python -m bench.messaging --clients {args.clients} --messages {args.messages} "
        f"--rate {args.rate:g} --idle {args.idle}"
    )
    lines = [
        "## Direct messages over WebSockets",
        "",
        f"`{command}` on {platform.node() or 'this machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite, in-process channel layer, one uvicorn process; the load "
        f"driver runs on the same machine. Load average before and after: {load}. Setup (people, follows, "
        f"conversations, tokens): {setup_s:.0f} s.",
        "",
        "Send → delivery: from the start of the HTTP POST that sends a message to the `message.new` frame on "
        "the recipient's socket (the send includes validation, the write, the commit and the push; the "
        "delivery includes rendering the message once for its readers).",
        "",
        "| Connected clients | Messages | Rate | p50 | p95 | p99 | max | lost |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if samples:
        p50, p95, p99 = statistics.median(samples), percentile(samples, 95), percentile(samples, 99)
        lines.append(
            f"| {args.clients:,} | {latency.sent:,} | {args.rate:g}/s | {p50:.0f} ms | {p95:.0f} ms "
            f"| {p99:.0f} ms | {max(samples):.0f} ms | {lost} |"
        )
    lines += [
        "",
        f"Connecting the {args.clients:,} sockets took {latency.connect_seconds:.1f} s "
        f"({latency.server_cpu_connect_s * 1000 / max(args.clients, 1):.1f} ms of server CPU each)"
        + (f"; {latency.failed_sends} sends failed." if latency.failed_sends else ".")
        + " Server CPU per message (the HTTP send, the commit, rendering once and pushing to both "
        f"parties' sockets): {latency.server_cpu_send_s * 1000 / max(latency.sent, 1):.1f} ms — CPU time, "
        "unaffected by other load on the machine, unlike the latencies.",
        "",
        "Idle connections held by one server process:",
        "",
        "| Wanted | Held | Opened in | Server CPU per connection | Server memory before → after "
        "| Per connection | Ping sample |",
        "|---|---|---|---|---|---|---|",
        f"| {idle['wanted']:,} | {idle['held']:,} | {idle['open_seconds']} s | "
        f"{idle['cpu_ms_per_connection']} ms | {idle['rss_before_mb']} → {idle['rss_after_mb']} MB | "
        f"{idle['kib_per_connection']} KiB | {idle['sample_alive']} |",
    ]
    if idle["errors"]:
        lines += ["", f"Connection errors: {', '.join(idle['errors'])}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.messaging", description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="messages sent per second")
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args(argv)
    raise_file_limit()

    with tempfile.TemporaryDirectory(prefix="spool-bench-dm-") as tmp:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE="spool.settings",
            SPOOL_DATA_DIR=tmp,
            SPOOL_KEY_PREFIX=f"benchdm{os.getpid()}",
        )
        os.environ.update(env)
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        print(f"bench.messaging: {args.clients} people…", file=sys.stderr)
        load_before = os.getloadavg()[0]
        people = build(args.clients)
        setup_s = time.perf_counter() - started
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_server(port, env)
        try:
            print("bench.messaging: latency…", file=sys.stderr)
            latency = asyncio.run(latency_phase(port, server.pid, people, args.messages, args.rate))
            samples = sorted((latency.received[t] - latency.started[t]) * 1000 for t in latency.received)
            if samples:
                print(
                    f"bench.messaging: {len(samples)}/{latency.sent} delivered, "
                    f"p50 {statistics.median(samples):.0f} ms, p99 {percentile(samples, 99):.0f} ms",
                    file=sys.stderr,
                )
            print("bench.messaging: idle connections…", file=sys.stderr)
            idle = asyncio.run(idle_phase(port, people[0].token, args.idle, server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    load = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    section = render(args, latency, idle, setup_s, load)
    print(section)
    write_section(Path(args.out), section)


if __name__ == "__main__":
    main()
