"""``python -m bench.serve --database sqlite|postgres --name NAME --port PORT``: uvicorn serving
``spool.asgi.application`` on loopback over the bench's throwaway database ``NAME`` (one worker process, as
``manage.py serve`` runs it), for :mod:`bench.mastodon_api` to load over real HTTP."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--name", required=True, help="the database (SQLite file or PostgreSQL name)")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    from bench.run import _configure

    with tempfile.TemporaryDirectory(prefix="spool-bench-serve-") as tmp:
        _configure(args.database, Path(tmp))
        import django

        django.setup()
        import uvicorn
        from django.db import connections

        connections.settings["default"]["NAME"] = args.name
        from spool.asgi import application

        uvicorn.run(application, host="127.0.0.1", port=args.port, lifespan="off", log_level="warning")


if __name__ == "__main__":
    main()
