"""``python -m bench``: run every scenario on SQLite (and on PostgreSQL when ``DATABASE_URL`` is set) and
write ``docs/performance.md``.

Each database is benchmarked in its own process (:mod:`bench.run`). With ``--baseline COMMIT`` the same
scenarios also run, in the same invocation and on the same machine, against the ``spool`` package of that
commit (taken with ``git archive`` into a temporary folder, first on ``PYTHONPATH``), so the report shows
before and after side by side.
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

from bench.messaging import carry_over
from bench.report import machine, render

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


def fanout_section(databases: list[str], accounts: int) -> str:
    """Run :mod:`bench.fanout` once per database (SQLite: 10k accounts, PostgreSQL: 20k, unless given) and
    render its section of the report."""
    from bench.fanout import render

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="spool-bench-") as tmp:
        for database in databases:
            print(f"bench: fan-out and home timelines, {database}…", file=sys.stderr)
            out = Path(tmp) / f"fanout-{database}.json"
            size = accounts or (10_000 if database == "sqlite" else 20_000)
            command = [sys.executable, "-m", "bench.fanout", "--database", database, "--out", str(out)]
            subprocess.run([*command, "--accounts", str(size)], cwd=ROOT, check=True)
            results[database] = json.loads(out.read_text())
    return render(results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per page scenario (x10 for builds)")
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size factor")
    parser.add_argument("--baseline", help="also run the scenarios on the spool package of this commit")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument(
        "--fanout-accounts", type=int, default=0, help="graph size for bench.fanout (0: 10k/20k)"
    )
    parser.add_argument("--no-fanout", action="store_true", help="leave out bench.fanout (the longest part)")
    args = parser.parse_args(argv)

    with_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    databases = ["sqlite", "postgres"] if with_postgres else ["sqlite"]
    head = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--", "spool", "bench"))
    baseline = _git("rev-parse", args.baseline) if args.baseline else None
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="spool-bench-") as tmp:
        folder = Path(tmp)
        code = _extract(baseline, folder / "baseline") if baseline else None
        for database in databases:
            if code is not None:
                print(f"bench: {database}, baseline {baseline[:12]}…", file=sys.stderr)  # type: ignore[index]
                results[f"{database}:before"] = _run(
                    database, args.runs, args.scale, code, folder / f"{database}-before.json"
                )
            print(f"bench: {database}, current tree…", file=sys.stderr)
            results[f"{database}:after"] = _run(
                database, args.runs, args.scale, None, folder / f"{database}-after.json"
            )

    command = " ".join(["python -m bench", *map(shlex.quote, argv if argv is not None else sys.argv[1:])])
    report = render(
        command=command,
        machine=machine(),
        head=head + (" (with uncommitted changes)" if dirty else ""),
        baseline=baseline,
        databases=databases,
        results=results,
    )
    if not args.no_fanout:
        report += "\n" + fanout_section(databases, args.fanout_accounts)
    out = Path(args.out)
    # Sections written by other benchmarks (python -m bench.messaging) are kept.
    report = carry_over(out.read_text() if out.exists() else "", report)
    out.write_text(report)
    print(f"bench: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
