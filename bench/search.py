"""``python -m bench.search``: search at a million posts, on SQLite (FTS5) and — when ``DATABASE_URL`` points
at PostgreSQL — on PostgreSQL full text. Targets: p99 ≤ 100 ms on SQLite, ≤ 50 ms on PostgreSQL.

Each database runs in its own process (``--one sqlite|postgres``) on a throwaway database: migrated, then
filled by bulk insert straight into the tables (``executemany`` on SQLite, ``COPY`` on PostgreSQL) —
accounts, topics, ``--posts`` posts of pseudo-words drawn from a Zipf distribution (so some words are in one
post of ten, some in a few hundred), and the search index itself. A viewer who follows some accounts,
blocks some and mutes some then runs every scenario through :func:`spool.search.reads.search_posts` (a page
of 20 cards, with visibility, mutes and hidden words applied, as the web page and the API get it) and
:func:`spool.search.profiles.search_profiles`; in-process, no HTTP.

Its section of ``docs/performance.md`` is replaced (``bench.sections``); ``python -m bench`` carries it over
when it rewrites the page.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = {"sqlite": 100.0, "postgres": 50.0}
VOCABULARY = 5000
WORDS_PER_POST = 12
ACCOUNTS = 20_000
TOPICS = 300
DAYS = 90
BATCH = 20_000


# --- The dataset ------------------------------------------------------------------------------------------


def vocabulary(rng: random.Random) -> list[str]:
    """``VOCABULARY`` distinct pronounceable pseudo-words; index = frequency rank."""
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def snowflake(moment_ms: int, sequence: int) -> int:
    from spool.core.snowflake import SPOOL_EPOCH_MS, TIMESTAMP_SHIFT

    return ((moment_ms - SPOOL_EPOCH_MS) << TIMESTAMP_SHIFT) | (sequence & 0xFFF)


def post_rows(
    count: int, words: list[str], accounts: list[int], topics: list[int], rng: random.Random
) -> Iterator[dict[str, Any]]:
    """``count`` posts spread over the last ``DAYS`` days, oldest first."""
    cumulative: list[float] = []
    total = 0.0
    for rank in range(1, len(words) + 1):
        total += 1 / rank
        cumulative.append(total)
    now_ms = int(time.time() * 1000)
    start_ms = now_ms - DAYS * 86_400_000
    step = (now_ms - start_ms) / count
    for i in range(count):
        moment = int(start_ms + i * step)
        text = " ".join(rng.choices(words, cum_weights=cumulative, k=WORDS_PER_POST))
        likes = int(rng.paretovariate(1.5)) - 1
        yield {
            "id": snowflake(moment, i),
            "author_id": accounts[rng.randrange(len(accounts))],
            "text": text,
            "topic_id": topics[rng.randrange(len(topics))] if rng.random() < 0.1 else None,
            "created_at": datetime.fromtimestamp(moment / 1000, tz=UTC),
            "likes_count": min(likes, 100_000),
            "reposts_count": min(likes // 10, 10_000),
            "replies_count": min(likes // 5, 10_000),
        }


def _plan(model: Any) -> list[tuple[str, str, Any]]:
    """(attribute, column, default as stored) for every concrete column of ``model``."""
    plan = []
    for field in model._meta.concrete_fields:
        default = field.get_default() if field.has_default() else None
        if field.get_internal_type() == "JSONField":
            default = json.dumps(default)
        plan.append((field.attname, field.column, default))
    return plan


def bulk_insert(model: Any, rows: Iterator[dict[str, Any]], vendor: str) -> int:
    """Insert ``rows`` (attribute → value; the rest take their defaults) straight into ``model``'s table:
    COPY on PostgreSQL, executemany on SQLite, ``BATCH`` rows per transaction."""
    from django.db import connection, transaction

    table = model._meta.db_table
    plan = _plan(model)
    names = ", ".join(column for _, column, _ in plan)
    count = 0
    batch: list[list[Any]] = []

    def flush() -> None:
        if not batch:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for values in batch:
                        copy.write_row(values)
            else:
                marks = ", ".join(["%s"] * len(plan))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
        batch.clear()

    for row in rows:
        batch.append([row.get(attname, default) for attname, _, default in plan])
        count += 1
        if len(batch) >= BATCH:
            flush()
    flush()
    return count


def drop_indexes(table: str) -> list[str]:
    """Drop ``table``'s secondary indexes (a bulk load is several times faster without them); returns the
    statements that create them again."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def create_indexes(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def build(posts: int, seed: int = 7) -> dict[str, Any]:
    """The dataset; returns what the scenarios need (words by rank, the viewer, a topic)."""
    from django.db import connection

    from spool.identities.models import Account, Block, Follow, Mute
    from spool.posts.models import Post, Topic
    from spool.search.backends import get_backend

    rng = random.Random(seed)
    vendor = connection.vendor
    words = vocabulary(rng)
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    now = datetime.now(UTC)
    base_ms = int(time.time() * 1000) - DAYS * 86_400_000 - 86_400_000
    account_rows = (
        {
            "id": snowflake(base_ms + i, i),
            "handle": f"{words[i % VOCABULARY]}{i}",
            "display_name": f"{words[(i * 7) % VOCABULARY].title()} {words[(i * 13) % VOCABULARY].title()}",
            "is_private": i % 20 == 0,
            "created_at": now,
            "followers_count": int(rng.paretovariate(1.2)),
        }
        for i in range(ACCOUNTS)
    )
    bulk_insert(Account, account_rows, vendor)
    account_ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    topic_rows = (
        {
            "id": snowflake(base_ms + ACCOUNTS + i, i),
            "name": words[i],
            "display": words[i].title(),
            "posts_count": 0,
        }
        for i in range(TOPICS)
    )
    bulk_insert(Topic, topic_rows, vendor)
    topic_ids = list(Topic.objects.order_by("id").values_list("id", flat=True))
    viewer_id = account_ids[1]  # public (every 20th account is private)

    started = time.perf_counter()
    indexes = drop_indexes(Post._meta.db_table)
    bulk_insert(Post, post_rows(posts, words, account_ids, topic_ids, random.Random(seed + 1)), vendor)
    create_indexes(indexes)
    posts_s = time.perf_counter() - started
    Topic.objects.update(posts_count=posts // 10 // TOPICS)

    started = time.perf_counter()
    backend = get_backend()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute("DROP INDEX IF EXISTS search_post_document_gin")
    chunk: list[tuple[int, str]] = []
    for post_id, text in Post.objects.order_by("id").values_list("id", "text").iterator(chunk_size=BATCH):
        chunk.append((post_id, text))
        if len(chunk) >= BATCH * 5:
            backend.bulk_insert(chunk)
            chunk = []
    backend.bulk_insert(chunk)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "CREATE INDEX search_post_document_gin ON search_post_document USING gin (document)"
            )
            cursor.execute("ANALYZE")
        else:
            cursor.execute("INSERT INTO search_post_fts (search_post_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
    index_s = time.perf_counter() - started

    others = [a for a in account_ids if a != viewer_id]
    sample = random.Random(seed + 2).sample(others, 700)
    Follow.objects.bulk_create(Follow(follower_id=viewer_id, followee_id=a) for a in sample[:500])
    Block.objects.bulk_create(Block(blocker_id=viewer_id, blocked_id=a) for a in sample[500:600])
    Mute.objects.bulk_create(Mute(muter_id=viewer_id, muted_id=a) for a in sample[600:])
    return {
        "words": words,
        "viewer_id": viewer_id,
        "topic": words[3].title(),
        "posts_s": posts_s,
        "index_s": index_s,
        "handle_prefix": words[0][:3],
    }


# --- Timing -----------------------------------------------------------------------------------------------


def timed(call: Callable[[int], Any], runs: int, warmup: int = 3) -> dict[str, float]:
    from bench.timing import percentile

    for i in range(warmup):
        call(i)
    samples, cpu = [], []
    for i in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "p50": percentile(samples, 0.5),
        "p95": percentile(samples, 0.95),
        "p99": percentile(samples, 0.99),
        "max": max(samples),
        # This process's CPU time: less sensitive to other processes than wall time (for SQLite it includes
        # the database's work; for PostgreSQL the server's work is not in it).
        "cpu_p50": percentile(cpu, 0.5),
    }


def scenarios(data: dict[str, Any]) -> dict[str, Callable[[int], Any]]:
    from spool.identities.models import Account
    from spool.search.profiles import search_profiles
    from spool.search.reads import search_posts

    viewer = Account.objects.get(pk=data["viewer_id"])
    words: list[str] = data["words"]

    def word(ranks: range) -> Callable[[int], str]:
        return lambda i: words[ranks[i % len(ranks)]]

    common, medium, rare = word(range(5, 25)), word(range(200, 400)), word(range(3000, 4000))

    def posts(tab: str, q: Callable[[int], str], **options: Any) -> Callable[[int], Any]:
        return lambda i: search_posts(viewer, q(i), tab=tab, **options)

    return {
        "Top, common word (~10% of posts)": posts("top", common),
        "Recent, common word": posts("recent", common),
        "Top, two common words": posts("top", lambda i: f"{common(i)} {common(i + 7)}"),
        "Recent, word in ~0.3% of posts": posts("recent", medium),
        "Top, word in ~0.3% of posts": posts("top", medium),
        "Recent, rare word (~300 posts)": posts("recent", rare),
        'Recent, "phrase" of two words': posts("recent", lambda i: f'"{common(i)} {common(i + 1)}"'),
        "Recent, common word, no media": posts("recent", common, media="none"),
        "Recent, common word, page 2": lambda i: search_posts(
            viewer, common(i), tab="recent", cursor=search_posts(viewer, common(i), tab="recent").next_cursor
        ),
        "Top, tag mode (#topic)": posts("top", lambda i: "#" + data["topic"]),
        "Recent, tag mode (#topic)": posts("recent", lambda i: "#" + data["topic"]),
        "Top, logged out": lambda i: search_posts(None, common(i), tab="top"),
        "Profiles, handle prefix": lambda i: search_profiles(viewer, words[i % 50][:3]),
    }


@contextmanager
def kept_database(database: str, folder: Path, posts: int) -> Iterator[dict[str, Any] | None]:
    """Django set up on a database kept in ``folder`` between runs (``--keep``), so that two versions of the
    code can be timed on the same data: yields the dataset's description when it was built before, else
    ``None`` (migrated and empty; the caller builds, then :func:`remember` records it). SQLite keeps its file
    in ``folder``; PostgreSQL a database ``<DATABASE_URL's database>_bench_search_<posts>`` on that server,
    its name recorded in ``folder``. A kept dataset is migrated forward on every run."""
    from bench.run import _configure

    folder.mkdir(parents=True, exist_ok=True)
    _configure(database, folder)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from spool.celery import app

    app.conf.task_always_eager = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    described = folder / f"{database}-{posts}.json"
    kept = json.loads(described.read_text()) if described.exists() else None
    if database == "postgres":
        # Named after DATABASE_URL's database (so two engineers' kept datasets never share one) and recorded
        # with the dataset, so a later run from another checkout or DATABASE_URL finds the same database.
        # (Datasets kept before the name was recorded used ``spool_bench_search_<posts>``.)
        name = (
            kept.get("pg_database", f"spool_bench_search_{posts}")
            if kept
            else f"{connection.settings_dict['NAME']}_bench_search_{posts}"
        )
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                if kept:
                    raise SystemExit(f"{described} describes database {name}, which is gone: delete the file")
                cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        connection.settings_dict["NAME"] = name
    # Also on reuse: a dataset kept by an older checkout is migrated forward to this code's schema.
    call_command("migrate", verbosity=0)
    yield kept


def remember(database: str, folder: Path, posts: int, data: dict[str, Any]) -> None:
    from django.db import connection

    if database == "postgres":
        data = {**data, "pg_database": connection.settings_dict["NAME"]}
    (folder / f"{database}-{posts}.json").write_text(json.dumps(data))


def run_one(
    database: str, posts: int, runs: int, out: Path, keep: Path | None = None, only: list[str] | None = None
) -> None:
    from bench.run import _database_version, throwaway_database

    place = kept_database(database, keep, posts) if keep else throwaway_database(database, "search")
    with place as kept:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        data = kept or build(posts)
        build_s = data["build_s"] if kept else time.perf_counter() - started
        if keep and not kept:
            remember(database, keep, posts, {**data, "build_s": build_s})
        print(f"bench.search: {database}: built in {build_s:.0f} s", file=sys.stderr)
        figures = {
            # Each scenario's searches run once untimed before they are timed: the index and the posts they
            # touch are then in memory, as on a server in service (a first pass after the dataset sat idle
            # reads them from disk and measures the disk).
            name: timed(call, runs, warmup=runs)
            for name, call in scenarios(data).items()
            if not only or any(part in name for part in only)
        }
        result = {
            "database": _database_version(database),
            "posts": posts,
            "build_s": build_s,
            "posts_s": data["posts_s"],
            "index_s": data["index_s"],
            "load": f"{load:.1f} → {os.getloadavg()[0]:.1f}",
            "figures": figures,
        }
    out.write_text(json.dumps(result))


# --- Report -----------------------------------------------------------------------------------------------


BUSY_LOAD = 2.5  # a load average above this on 2 cores means the searches waited for the CPU


def _noise_note(results: dict[str, dict[str, Any]]) -> str:
    """Whether the machine was quiet, from the load averages the runs recorded (``"1.8 → 1.5"``)."""
    loads = [float(x) for r in results.values() for x in str(r.get("load", "")).split(" → ") if x]
    if loads and max(loads) <= BUSY_LOAD:
        return (
            f"**Taken on a quiet machine** (load average at most {max(loads):.1f} during the runs, "
            "listed below)."
        )
    return (
        "**Taken on a busy shared machine** (other work running; load average below): the figures are noisy "
        "and pessimistic. Re-run on a quiet machine with the command above."
    )


def render(command: str, results: dict[str, dict[str, Any]], runs: int) -> str:
    from bench.report import machine

    info = machine()
    lines = [
        "## Search at a million posts",
        "",
        f"`{command}` · {runs} timed runs per scenario · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · "
        + ", ".join(f"{k}: {v}" for k, v in info.items()),
        "",
        _noise_note(results),
        "",
        "A page of 20 results as cards (`spool.search.reads.search_posts`: candidates from the index, "
        "visibility, mutes and hidden words, batched cards), in-process. Target p99: SQLite ≤ 100 ms, "
        "PostgreSQL ≤ 50 ms. Wall-clock percentiles; *CPU p50* is this process's CPU time per search "
        "(Python, and SQLite's own work), which other processes disturb less. Each scenario's searches "
        "run once untimed first, so the pages they read are in memory, as on a server in service.",
        "",
    ]
    names = list(next(iter(results.values()))["figures"]) if results else []
    header = "| Scenario | " + " | ".join(f"{db} p50 / p95 / p99 (ms), CPU p50" for db in results) + " |"
    lines += [header, "|---|" + "---|" * len(results)]
    for name in names:
        cells = []
        for db, result in results.items():
            f = result["figures"][name]
            mark = "" if f["p99"] <= TARGET_MS[db] else " ⚠"
            cells.append(f"{f['p50']:.1f} / {f['p95']:.1f} / **{f['p99']:.1f}**{mark}, {f['cpu_p50']:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for db, result in results.items():
        lines.append(
            f"- {db} ({result['database']}): {result['posts']:,} posts loaded in {result['posts_s']:.0f} s, "
            f"index built in {result['index_s']:.0f} s (whole setup {result['build_s']:.0f} s); "
            f"load average {result['load']}."
        )
    lines += ["", "⚠ marks a p99 over the target for that database."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100, help="timed runs per scenario")
    parser.add_argument("--database", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--one", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument(
        "--keep",
        help="keep the dataset in this folder (PostgreSQL: a database named after --posts) and reuse it on "
        "later runs, e.g. to time two versions of the code on the same data",
    )
    parser.add_argument(
        "--only", action="append", help="time only the scenarios whose name contains this text (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.one:
        run_one(
            args.one,
            args.posts,
            args.runs,
            Path(args.json),
            Path(args.keep) if args.keep else None,
            args.only,
        )
        return
    databases = args.database or (
        ["sqlite", "postgres"] if os.environ.get("DATABASE_URL", "").startswith("postgres") else ["sqlite"]
    )
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="spool-bench-search-") as tmp:
        for database in databases:
            print(f"bench.search: {database}, {args.posts:,} posts…", file=sys.stderr)
            out = Path(tmp) / f"{database}.json"
            command = [sys.executable, "-m", "bench.search", "--one", database, "--json", str(out)]
            command += ["--posts", str(args.posts), "--runs", str(args.runs)]
            command += ["--keep", str(Path(args.keep).resolve())] if args.keep else []
            command += [f"--only={only}" for only in args.only or []]
            subprocess.run(command, cwd=ROOT, check=True)
            results[database] = json.loads(out.read_text())
    shown = ["python -m bench.search", *(argv if argv is not None else sys.argv[1:])]
    if "postgres" in databases:
        shown.insert(0, "DATABASE_URL=postgres://…")
    section = render(" ".join(shown), results, args.runs)
    print(section)
    write_section("search", Path(args.out), section)


if __name__ == "__main__":
    main()
