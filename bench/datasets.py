"""Generated datasets, cached by size so reruns start in seconds.

``with dataset("postgres", GenSizes(accounts=100_000)) as (data, name):`` sets Django up in this process
on a fresh *run copy* of the dataset and drops the copy afterwards:

- PostgreSQL: the dataset is generated once into ``spool_bench_c<key>`` (migrated, loaded with ``COPY``,
  ``VACUUM ANALYZE``d) and every run is ``CREATE DATABASE … TEMPLATE`` of it (a file copy);
- SQLite: the dataset is generated once into ``var/bench-cache/<key>.sqlite3`` and every run copies the file.

The cache key covers the sizes, the seed and ``GENERATOR_VERSION``, so a generator change builds a new
dataset; a schema change does not: each run copy is migrated forward before the run.
``python -m bench --fresh`` ignores the cache.
Redis (timelines, caches) lives under a per-run key prefix and is cleared afterwards.
A new SQLite database starts as a copy of ``BENCH_MIGRATED_SQLITE`` when that names one already migrated
(the test suite's, made once per run: see :func:`start_from_migrated`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.gen import Generated, GenSizes

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench-cache"
SEED = 11
# Bump when bench/gen.py or bench/bulk.py change what a dataset holds (the cache key includes it).
GENERATOR_VERSION = "1"


def configure(database: str, folder: Path, prefix: str) -> None:
    """Environment for Django in a bench process (before ``django.setup()``)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "spool.settings"
    os.environ["SPOOL_DATA_DIR"] = str(folder)
    os.environ["SPOOL_KEY_PREFIX"] = prefix
    if database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--database postgres needs DATABASE_URL=postgres://…")


def cache_key(sizes: GenSizes) -> str:
    """The sizes, the seed and the generator: a schema change does not rebuild the dataset, because each
    run copy is migrated forward (:func:`_migrate_forward`)."""
    parts = [sizes.key(), str(SEED), GENERATOR_VERSION]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def _migrate_forward(log: Any) -> None:
    """Apply migrations added since the cached dataset was generated to this run copy."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        log(f"bench: applying {len(pending)} migration(s) newer than the cached dataset…")
        call_command("migrate", verbosity=0, interactive=False)


def start_from_migrated(target: Path) -> None:
    """Copy the migrated SQLite database named by ``BENCH_MIGRATED_SQLITE`` (the bench smoke tests pass the
    suite's, migrated once per run) to ``target``, so the ``migrate`` that follows only checks there is
    nothing left to apply, instead of taking seconds of CPU. Nothing when the variable is unset."""
    source = os.environ.get("BENCH_MIGRATED_SQLITE")
    if not source:
        return
    import sqlite3

    # The backup API, not a file copy: it reads whatever is still in the source's write-ahead log.
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _admin(sql: str) -> None:
    """Run ``sql`` on the PostgreSQL server's ``postgres`` database, outside a transaction."""
    import psycopg
    from django.db import connection

    params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql)  # type: ignore[arg-type]


def _pg_exists(name: str) -> bool:
    import psycopg
    from django.db import connection

    params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _release(connection: Any) -> None:
    """Close this process's connections to the current database, pooled ones too: PostgreSQL copies a
    template database only while nobody is connected to it."""
    connection.close()
    close_pool = getattr(connection, "close_pool", None)
    if close_pool is not None:
        close_pool()


def _build(sizes: GenSizes, log: Any) -> tuple[Generated, float]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.gen import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"bench: migrated in {time.perf_counter() - started:.0f} s; generating {sizes.accounts:,} accounts…")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        data = generate(sizes, SEED)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        if connection.vendor == "sqlite":
            # Everything into the database file, which is moved into the cache without its WAL file.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - started
    log(f"bench: generated {sizes.accounts:,} accounts in {seconds:.0f} s")
    return data, seconds


@contextmanager
def dataset(
    database: str, sizes: GenSizes, *, fresh: bool = False, log: Any = print
) -> Iterator[tuple[Generated, dict[str, Any]]]:
    """Django set up on a run copy of the dataset; yields it and facts about it (``name``: the run
    database, ``generated_seconds`` or ``cached``)."""
    prefix = f"bench{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="spool-bench-") as tmp:
        folder = Path(tmp)
        configure(database, folder, prefix)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        from spool.celery import app

        app.conf.task_always_eager = True
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        CACHE.mkdir(parents=True, exist_ok=True)
        key = cache_key(sizes)
        facts: dict[str, Any] = {"cache_key": key}
        meta_file = CACHE / f"{database}-{key}.json"
        if database == "postgres":
            cache_name = f"spool_bench_c{key}"
            if fresh or not (meta_file.exists() and _pg_exists(cache_name)):
                _admin(f'DROP DATABASE IF EXISTS "{cache_name}" WITH (FORCE)')
                _admin(f'CREATE DATABASE "{cache_name}"')
                connection.settings_dict["NAME"] = cache_name
                connection.close()
                data, facts["generated_seconds"] = _build(sizes, log)
                meta_file.write_text(json.dumps(data.as_dict()))
            else:
                facts["cached"] = True
            _release(connection)
            run_name = f"spool_bench_run_{os.getpid()}"
            started = time.perf_counter()
            _admin(f'CREATE DATABASE "{run_name}" TEMPLATE "{cache_name}"')
            facts["copy_seconds"] = round(time.perf_counter() - started, 1)
        else:
            cache_file = CACHE / f"sqlite-{key}.sqlite3"
            if fresh or not (meta_file.exists() and cache_file.exists()):
                building = folder / "building.sqlite3"
                start_from_migrated(building)
                connection.settings_dict["NAME"] = str(building)
                connection.close()
                data, facts["generated_seconds"] = _build(sizes, log)
                connection.close()
                shutil.move(building, cache_file)
                meta_file.write_text(json.dumps(data.as_dict()))
            else:
                facts["cached"] = True
            run_name = str(folder / "run.sqlite3")
            shutil.copyfile(cache_file, run_name)
        connection.settings_dict["NAME"] = run_name
        connection.close()
        _migrate_forward(log)
        if database == "postgres":
            # The dataset is loaded with triggers off (bench.bulk), so the set of accounts above the fan-out
            # threshold that a trigger keeps is made here, as ``manage.py sync_celebrities`` makes it.
            from spool.timelines.celebrities import sync_celebrities

            sync_celebrities(settings.SPOOL.fanout_threshold)
        facts["name"] = run_name
        facts["prefix"] = prefix
        data = Generated(**json.loads(meta_file.read_text()))
        try:
            yield data, facts
        finally:
            connection.close()
            if database == "postgres":
                from spool.timelines.notices import ear

                ear.stop()  # a page read in this process listens to the run database
                _admin(f'DROP DATABASE IF EXISTS "{run_name}" WITH (FORCE)')
            if settings.SPOOL.redis_url:
                from spool.core.redis import redis_client

                client = redis_client()
                keys = list(client.scan_iter(f"{prefix}*", count=10_000))
                for start in range(0, len(keys), 1000):
                    client.delete(*keys[start : start + 1000])
