"""One benchmark run in this process: ``python -m bench.run --database sqlite|postgres --out FILE``.

Creates a throwaway database (a SQLite file in a temporary folder, or a PostgreSQL database named after the
process on the server ``DATABASE_URL`` points at), migrates it, builds the dataset, times every scenario,
drops the database and writes the figures as JSON. :mod:`bench.__main__` runs one of these per database
(and per version of Spool being compared), each in a fresh process, since Django is configured once per
process."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _configure(database: str, folder: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "spool.settings"
    os.environ["SPOOL_DATA_DIR"] = str(folder)
    os.environ["SPOOL_KEY_PREFIX"] = f"bench{os.getpid()}"
    if database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--database postgres needs DATABASE_URL=postgres://…")


def _database_version(database: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if database == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        version = cursor.fetchone()[0]
        cursor.execute("show shared_buffers")
        return f"PostgreSQL {version} (shared_buffers {cursor.fetchone()[0]})"


@contextmanager
def throwaway_database(database: str, name: str) -> Iterator[None]:
    """Django set up in this process on a new, migrated database (``database``: sqlite or postgres) that
    is dropped afterwards; background tasks run inline, passwords hash fast."""
    with tempfile.TemporaryDirectory(prefix="spool-bench-") as tmp:
        folder = Path(tmp)
        _configure(database, folder)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        from spool.celery import app

        app.conf.task_always_eager = True
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        sqlite = database == "sqlite"
        test_name = str(folder / f"{name}.sqlite3") if sqlite else f"spool_{name}_{os.getpid()}"
        connection.settings_dict["TEST"]["NAME"] = test_name
        original_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)

    with throwaway_database(args.database, "bench"):
        import django

        from bench import dataset, scenarios

        started = time.perf_counter()
        data = dataset.build(dataset.Sizes().scaled(args.scale))
        built_s = time.perf_counter() - started
        figures = scenarios.run_all(data, args.runs)
        result: dict[str, Any] = {
            "database": _database_version(args.database),
            "python": f"Python {platform.python_version()}",
            "django": f"Django {django.get_version()}",
            "dataset": data.counts,
            "dataset_seconds": round(built_s, 1),
            "figures": [f.as_dict() for f in figures],
        }
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(f"{result['database']}: {len(result['figures'])} scenarios", file=sys.stderr)


if __name__ == "__main__":
    main()
