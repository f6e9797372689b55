"""Fan-out and home-timeline benchmarks: ``python -m bench.fanout --database sqlite|postgres --out FILE``.

On a generated power-law graph (:mod:`bench.graph`) in a throwaway database, through the real code paths:

- store insert rate: ``store.fan_out`` of one entry into chunks of 1,000 held timelines (SQL and Redis);
- publish with fan-out: ``create_post`` by an account with 10,000 followers, end to end (the after-commit
  task runs inline), and the fan-out alone;
- a celebrity's post (above ``fanout_threshold``): publish, then a follower's first page shows it;
- returning-user first page: ``home_posts`` at limit=40 for people whose timeline is not held (rebuilt);
- warm home page: ``home_posts`` at limit=40, p50/p99 and queries;
- Redis memory per million entries: the packed layout written through ``RedisStore.fan_out``, and the same
  entries as sorted sets (Mastodon's layout) for comparison.

:mod:`bench.__main__` runs this per database and appends :func:`render`'s section to the report.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.report import machine
from bench.run import _database_version, throwaway_database
from bench.timing import percentile

CHUNK = 1000


def _stats(seconds: list[float]) -> dict[str, float]:
    return {
        "runs": len(seconds),
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
    }


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


@contextmanager
def _setting(name: str, value: Any) -> Iterator[None]:
    from django.conf import settings

    old = getattr(settings.SPOOL, name)
    setattr(settings.SPOOL, name, value)
    try:
        yield
    finally:
        setattr(settings.SPOOL, name, old)


def _stores() -> list[Any]:
    from django.conf import settings

    from spool.timelines.stores.sql import SqlStore

    stores: list[Any] = [SqlStore()]
    if settings.SPOOL.redis_url:
        from spool.timelines.stores.redis_store import RedisStore

        stores.append(RedisStore())
    return stores


def _reset_timelines(store: Any, owners: list[int]) -> None:
    """No timeline held: the registry emptied and the store's copies dropped."""
    from spool.timelines.models import Timeline, TimelineEntry

    Timeline.objects.all().delete()
    TimelineEntry.objects.all().delete()
    for start in range(0, len(owners), CHUNK):
        store.drop(owners[start : start + CHUNK])


def _hold(store: Any, owners: list[int]) -> None:
    """Every owner's timeline held (registry row, and an empty timeline in the store)."""
    from django.utils import timezone

    from spool.timelines.models import Timeline

    now = timezone.now()
    Timeline.objects.bulk_create([Timeline(owner_id=o, active_at=now) for o in owners], batch_size=5000)
    for owner in owners:
        store.add(owner, [], create=True)


def insert_rate(store: Any, owners: list[int], rounds: int) -> dict[str, Any]:
    from spool.core.snowflake import next_id
    from spool.timelines.stores import Entry

    chunk = owners[:CHUNK]
    for owner in chunk:
        store.add(owner, [], create=True)
    seconds = 0.0
    for _ in range(rounds):
        entry_id = next_id()
        elapsed, _ = _timed(lambda e=entry_id: store.fan_out(chunk, Entry(e, e)))
        seconds += elapsed
    inserts = rounds * len(chunk)
    return {"inserts": inserts, "seconds": round(seconds, 3), "per_second": round(inserts / seconds)}


def publish(store: Any, star_id: int, followers: int) -> dict[str, Any]:
    from spool.identities.models import Account, Follow
    from spool.posts.services import create_post
    from spool.timelines import fanout
    from spool.timelines.stores import Entry

    fans = list(Follow.objects.filter(followee_id=star_id).values_list("follower_id", flat=True))
    _hold(store, fans)
    star = Account.objects.get(id=star_id)
    with _setting("fanout_threshold", followers * 2):
        end_to_end, post = _timed(lambda: create_post(star, text="Hello, all ten thousand of you"))
        held = store.read(fans[0], None, 1) or []
        visible = bool(held) and held[0].post_id == post.id
        alone, written = _timed(lambda: fanout.fan_out(star_id, Entry(post.id + 1, post.id)))
    return {
        "followers": len(fans),
        "timelines_written": written,
        "end_to_end_ms": round(end_to_end * 1000, 1),
        "fan_out_ms": round(alone * 1000, 1),
        "inserts_per_second": round(written / alone),
        "in_followers_store": visible,
    }


def celebrity(store: Any, star_id: int) -> dict[str, Any]:
    from spool.identities.models import Account, Follow
    from spool.posts.services import create_post
    from spool.posts.timelines import home_posts

    fan = Account.objects.get(id=Follow.objects.filter(followee_id=star_id).values("follower_id")[:1])
    home_posts(fan, limit=40)
    star = Account.objects.get(id=star_id)
    with _setting("fanout_threshold", 1000):
        started = time.perf_counter()
        post = create_post(star, text="Merged at read time")
        page = home_posts(fan, limit=40)
        elapsed = time.perf_counter() - started
    return {
        "followers": star.followers_count,
        "publish_then_read_ms": round(elapsed * 1000, 1),
        "on_first_page": any(card.id == post.id for card in page.items),
    }


def home_reads(store: Any, viewers: list[Any], warm_rounds: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spool.posts.timelines import home_posts

    cold: list[float] = []
    sizes: list[int] = []
    for viewer in viewers:
        elapsed, page = _timed(lambda v=viewer: home_posts(v, limit=40))
        cold.append(elapsed)
        sizes.append(len(page.items))
    with CaptureQueriesContext(connection) as captured:
        home_posts(viewers[-1], limit=40)
    warm: list[float] = []
    for _ in range(warm_rounds):
        for viewer in viewers:
            elapsed, _ = _timed(lambda v=viewer: home_posts(v, limit=40))
            warm.append(elapsed)
    return {
        "viewers": len(viewers),
        "returning": _stats(cold),
        "returning_full_pages": sum(1 for s in sizes if s == 40),
        "warm": _stats(warm),
        "warm_queries": len(captured),
    }


def redis_memory(owners: int, per_owner: int) -> dict[str, Any]:
    """Bytes per entry of ``owners`` timelines of ``per_owner`` entries each, written through
    ``RedisStore.fan_out`` (one entry to every owner at a time, as fan-out does), and of the same entries as
    sorted sets."""
    from spool.core.redis import redis_client
    from spool.core.snowflake import next_id
    from spool.timelines.stores import Entry
    from spool.timelines.stores.redis_store import RedisStore

    client = redis_client()
    prefix = f"benchmem{os.getpid()}"
    store = RedisStore(prefix=prefix)
    ids = list(range(900_000_000, 900_000_000 + owners))
    for owner in ids:
        store.add(owner, [], create=True)
    for _ in range(per_owner):
        entry_id = next_id()
        for start in range(0, owners, CHUNK):
            store.fan_out(ids[start : start + CHUNK], Entry(entry_id, entry_id))
    keys = list(client.scan_iter(f"{prefix}:tl:*", count=10_000))
    packed = sum(client.memory_usage(k, samples=0) or 0 for k in keys)
    entries = owners * per_owner
    with client.pipeline(transaction=False) as pipe:
        for owner in ids:
            pipe.zadd(f"{prefix}:z:{owner}", {str(next_id()): next_id() for _ in range(per_owner)})
        pipe.execute()
    zkeys = list(client.scan_iter(f"{prefix}:z:*", count=10_000))
    zset = sum(client.memory_usage(k, samples=0) or 0 for k in zkeys)
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    for start in range(0, len(zkeys), 1000):
        client.delete(*zkeys[start : start + 1000])
    return {
        "timelines": owners,
        "entries": entries,
        "packed_mib_per_million": round(packed / entries * 1_000_000 / 2**20, 1),
        "packed_bytes_per_entry": round(packed / entries, 1),
        "zset_mib_per_million": round(zset / entries * 1_000_000 / 2**20, 1),
    }


def run_all(accounts: int, viewers: int, warm_rounds: int) -> dict[str, Any]:
    import random

    from django.conf import settings

    from bench.graph import GraphSizes, build
    from spool.identities.models import Account
    from spool.timelines.stores import use_store
    from spool.timelines.tasks import fan_out_post

    fan_out_post.delay(0)  # Celery sets its app up on the first task: not part of any figure
    started = time.perf_counter()
    graph = build(GraphSizes(accounts=accounts, star_followers=min(10_000, accounts // 2)))
    built = time.perf_counter() - started
    rng = random.Random(5)
    sample = rng.sample(graph.account_ids[100:], min(viewers, len(graph.account_ids) - 100))
    readers = list(Account.objects.filter(id__in=sample, following_count__gte=3))
    results: dict[str, Any] = {"dataset": graph.counts, "dataset_seconds": round(built, 1), "stores": {}}
    for store in _stores():
        with use_store(store):
            _reset_timelines(store, graph.account_ids)
            figures: dict[str, Any] = {
                "insert_rate": insert_rate(
                    store, graph.account_ids[-CHUNK:], 100 if store.name == "sql" else 300
                )
            }
            _reset_timelines(store, graph.account_ids)
            figures["publish"] = publish(store, graph.star_id, 10_000)
            _reset_timelines(store, graph.account_ids)
            figures["home"] = home_reads(store, readers, warm_rounds)
            figures["celebrity"] = celebrity(store, graph.star_id)
            _reset_timelines(store, graph.account_ids)
            results["stores"][store.name] = figures
    if settings.SPOOL.redis_url:
        results["redis_memory"] = [redis_memory(1250, 800), redis_memory(5000, 200)]
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--out", help="where to write the figures (JSON)")
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--warm-rounds", type=int, default=3)
    parser.add_argument("--render", nargs="+", metavar="JSON", help="only render these runs' section ...")
    parser.add_argument("--into", help="... into this Markdown file, replacing the section if it is there")
    args = parser.parse_args(argv)
    if args.render:
        section = render({str(n): json.loads(Path(f).read_text()) for n, f in enumerate(args.render)})
        if args.into:
            replace_section(Path(args.into), section)
        else:
            print(section)
        return
    if not args.out:
        parser.error("--out is required")

    with throwaway_database(args.database, "bench_fanout"):
        from django.conf import settings

        result = run_all(args.accounts, args.viewers, args.warm_rounds)
        result["database"] = _database_version(args.database)
        result["command"] = " ".join(
            ["python -m bench.fanout", *(argv if argv is not None else sys.argv[1:])]
        )
        result["machine"] = machine()
        result["load_average"] = [round(x, 1) for x in os.getloadavg()]
        result["code"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        result["redis"] = bool(settings.SPOOL.redis_url)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(f"fanout: {result['database']} done", file=sys.stderr)


HEADING = "## Following timelines: fan-out and home reads"


def replace_section(path: Path, section: str) -> None:
    """Put ``section`` in the Markdown file at ``path`` in place of its own heading's section (up to the
    next ``## `` heading), or at the end."""
    text = path.read_text() if path.exists() else ""
    start = text.find(HEADING)
    if start < 0:
        path.write_text(text.rstrip("\n") + "\n\n" + section)
        return
    end = text.find("\n## ", start + len(HEADING))
    rest = text[end + 1 :] if end >= 0 else ""
    path.write_text(text[:start] + section.rstrip("\n") + "\n" + ("\n" + rest if rest else ""))


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _targets(result: dict[str, Any]) -> list[str]:
    """Issue 4's targets that this run speaks to, each marked met or not."""
    lines = ["Targets (issue 4):", ""]
    redis = result["stores"].get("redis")
    if redis is not None:
        rate = redis["insert_rate"]["per_second"]
        lines.append(f"- Fan-out ≥ 250,000 timeline inserts/s (Redis): {rate:,}/s — {_met(rate >= 250_000)}")
    for name, figures in result["stores"].items():
        returning = figures["home"]["returning"]["p99_ms"]
        full = figures["home"]["returning_full_pages"] == figures["home"]["viewers"]
        lines.append(
            f"- Returning user's first page p99 ≤ 300 ms, never empty or partial ({name}): {returning} ms, "
            f"full pages: {full} — {_met(returning <= 300 and full)}"
        )
        lines.append(
            f"- Queries per page constant in `limit` ({name}): {figures['home']['warm_queries']} at "
            "limit=40, the same at 5 (pinned in tests/timelines) — met"
        )
    for memory in result.get("redis_memory", []):
        mib = memory["packed_mib_per_million"]
        lines.append(
            f"- Redis ≤ 24 MiB per million entries ({memory['entries'] // memory['timelines']} per "
            f"timeline): {mib} MiB — {_met(mib <= 24)}"
        )
    return lines


def render(results: dict[str, dict[str, Any]]) -> str:
    """The report's section for these runs (one per database)."""
    lines = [
        HEADING,
        "",
        "From `python -m bench.fanout` (run by `python -m bench`): a generated power-law follower graph,",
        "bulk-created as set-up; every figure below goes through the real code (`create_post` with its",
        "after-commit fan-out task run inline, `spool.timelines` stores, `home_posts` at limit=40).",
        "Returning user = a person whose timeline is not held, so the read rebuilds it synchronously.",
        "These are `home_posts` calls in one process, without HTTP or JSON: the HTTP-level target for the",
        "home timeline (≥1,000 requests/s with full JSON) belongs to the Mastodon API scenarios.",
        "",
    ]
    for result in results.values():
        lines += [f"### {result['database']}" + (" (+ Redis)" if result["redis"] else ""), ""]
        lines += [
            f"- Command: `{result.get('command', 'python -m bench.fanout')}` at `{result.get('code', '?')}`",
            "- Machine: " + ", ".join(f"{k} {v}" for k, v in result.get("machine", {}).items()),
            f"- Load average (1, 5, 15 min) when the run ended: {result.get('load_average', '?')} — other "
            "processes sharing the cores slow every figure down",
            "- Dataset: "
            + ", ".join(f"{v:,} {k}" for k, v in result["dataset"].items())
            + f" (built in {result['dataset_seconds']} s)",
            "",
            "| Store | inserts/s (chunks of 1,000) | publish to 10k followers, end to end | fan-out alone "
            "| warm home p50 / p99 | queries | returning user p50 / p99 / max | full first pages "
            "| celebrity post: publish + first read |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, f in result["stores"].items():
            home = f["home"]
            lines.append(
                f"| {name} | {f['insert_rate']['per_second']:,} "
                f"| {f['publish']['end_to_end_ms']} ms ({f['publish']['timelines_written']:,} timelines) "
                f"| {f['publish']['fan_out_ms']} ms ({f['publish']['inserts_per_second']:,}/s) "
                f"| {home['warm']['p50_ms']} / {home['warm']['p99_ms']} ms "
                f"| {home['warm_queries']} "
                f"| {home['returning']['p50_ms']} / {home['returning']['p99_ms']} / "
                f"{home['returning']['max_ms']} ms "
                f"| {home['returning_full_pages']} of {home['viewers']} "
                f"| {f['celebrity']['publish_then_read_ms']} ms, shown: {f['celebrity']['on_first_page']} |"
            )
        lines += ["", *_targets(result), ""]
        for memory in result.get("redis_memory", []):
            lines.append(
                f"- Redis memory, {memory['timelines']:,} timelines x "
                f"{memory['entries'] // memory['timelines']}"
                f" entries: packed records {memory['packed_mib_per_million']} MiB per million entries "
                f"({memory['packed_bytes_per_entry']} B/entry, `MEMORY USAGE` summed); the same entries as "
                f"sorted sets: {memory['zset_mib_per_million']} MiB per million."
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
