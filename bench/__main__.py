"""``python -m bench`` (``make bench``): issue 4's scenarios (:mod:`bench.suite`) on PostgreSQL + Redis when
``DATABASE_URL``/``REDIS_URL`` are set (100k accounts) and on SQLite (10k accounts), each in its own
process, and ``docs/performance.md`` written from the figures with a table of which targets are met.
``--quick`` is a smoke run (small datasets, short loads). Generated datasets are cached in
``var/bench-cache`` (and PostgreSQL template databases), so only the first run at a size generates.

``--scenarios http --databases postgres`` runs only some of the suite (here the ceiling and the warm home
over HTTP, on PostgreSQL): ``make bench BENCH_ARGS="--scenarios http"``.

``--pages`` adds the older page scenarios (:mod:`bench.run`: a small dataset built through the services,
in-process read paths), with ``--baseline COMMIT`` to run them on the ``spool`` package of that commit too.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.report import machine, render, render_suite
from bench.sections import carry_over

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def _run(database: str, runs: int, scale: float, code: Path | None, out: Path) -> dict[str, Any]:
    env = dict(os.environ)
    paths = [str(code)] if code is not None else []
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    command = [sys.executable, "-m", "bench.run", "--database", database, "--out", str(out)]
    command += ["--runs", str(runs), "--scale", str(scale)]
    subprocess.run(command, cwd=code or ROOT, env=env, check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def _extract(commit: str, into: Path) -> Path:
    """The ``spool`` package as it was at ``commit``, in ``into``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "spool"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def suite_section(args: argparse.Namespace, databases: list[str]) -> dict[str, dict[str, Any]]:
    """Run :mod:`bench.suite` once per database, each in its own process."""
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="spool-bench-") as tmp:
        for database in databases:
            accounts = args.sqlite_accounts if database == "sqlite" else args.postgres_accounts
            out = Path(tmp) / f"suite-{database}.json"
            command = [sys.executable, "-m", "bench.suite", "--database", database, "--out", str(out)]
            command += ["--accounts", str(accounts), "--seconds", str(args.seconds)]
            command += ["--quick"] if args.quick else []
            command += ["--fresh"] if args.fresh else []
            command += ["--scenarios", args.scenarios] if args.scenarios else []
            print(f"bench: issue 4 suite, {database}, {accounts:,} accounts…", file=sys.stderr)
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
            if database == "sqlite":
                env.pop("DATABASE_URL", None)
                env.pop("REDIS_URL", None)
            subprocess.run(command, cwd=ROOT, env=env, check=True)
            results[database] = json.loads(out.read_text())
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run: small datasets, 3-second loads")
    parser.add_argument(
        "--sqlite-accounts", type=int, default=0, help="SQLite dataset (default 10k; quick 2k)"
    )
    parser.add_argument(
        "--postgres-accounts", type=int, default=0, help="PostgreSQL dataset (100k; quick 5k)"
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of each HTTP load")
    parser.add_argument("--fresh", action="store_true", help="generate datasets even when cached")
    parser.add_argument("--pages", action="store_true", help="also the page scenarios (bench.run)")
    parser.add_argument("--runs", type=int, default=30, help="page scenarios: timed runs (x10 for builds)")
    parser.add_argument("--scale", type=float, default=0.5, help="page scenarios: dataset size factor")
    parser.add_argument(
        "--baseline", help="page scenarios: also run them on the spool package of this commit"
    )
    parser.add_argument(
        "--scenarios", default="", help="only these suite scenarios (e.g. http: the ceiling and warm home)"
    )
    parser.add_argument(
        "--databases", default="", help="only these, comma-separated: postgres, sqlite (default: all set up)"
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args(argv)
    args.sqlite_accounts = args.sqlite_accounts or (2_000 if args.quick else 10_000)
    args.postgres_accounts = args.postgres_accounts or (5_000 if args.quick else 100_000)

    with_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    databases = ["postgres", "sqlite"] if with_postgres else ["sqlite"]
    if args.databases:
        wanted = args.databases.split(",")
        if set(wanted) - set(databases):
            parser.error(f"--databases: {args.databases} (available here: {', '.join(databases)})")
        databases = [d for d in databases if d in wanted]
    head = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--", "spool", "bench"))
    command = " ".join(["make bench" if argv is None and len(sys.argv) == 1 else "python -m bench",
                        *map(shlex.quote, argv if argv is not None else sys.argv[1:])])  # fmt: skip
    code = head + (" (with uncommitted changes)" if dirty else "")
    report = render_suite(
        command=command, machine=machine(), head=code, results=suite_section(args, databases)
    )
    if args.pages:
        report += "\n" + pages_section(args, list(reversed(databases)), command, code)
    out = Path(args.out)
    # Sections written by other benchmarks (python -m bench.messaging) are kept.
    report = carry_over(out.read_text() if out.exists() else "", report)
    out.write_text(report)
    print(f"bench: wrote {args.out}", file=sys.stderr)


def pages_section(args: argparse.Namespace, databases: list[str], command: str, code: str) -> str:
    """The page scenarios (:mod:`bench.run`, a dataset built through the services), as before."""
    baseline = _git("rev-parse", args.baseline) if args.baseline else None
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="spool-bench-") as tmp:
        folder = Path(tmp)
        old = _extract(baseline, folder / "baseline") if baseline else None
        for database in databases:
            if old is not None:
                results[f"{database}:before"] = _run(
                    database, args.runs, args.scale, old, folder / f"{database}-before.json"
                )
            results[f"{database}:after"] = _run(
                database, args.runs, args.scale, None, folder / f"{database}-after.json"
            )
    text = render(
        command=command, machine=machine(), head=code, baseline=baseline, databases=databases, results=results
    )
    # As a section of this report: its title becomes a second-level heading, its own headings one deeper.
    body = text.split("\n", 1)[1].replace("\n## ", "\n### ")
    return "## Page scenarios (`--pages`)\n" + body


if __name__ == "__main__":
    main()
