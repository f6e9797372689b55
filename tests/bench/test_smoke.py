"""The bench cannot rot: its whole suite (generator, cached dataset, returning users, queries per page, the
server with its ceiling view, the load driver, the celebrity post, For You and trending, fan-out) and the
report run on a tiny SQLite dataset. No timing is asserted: only that every step ran and the report names
every target."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.report import render_suite

ROOT = Path(__file__).resolve().parents[2]


def test_the_suite_runs_end_to_end_on_a_tiny_dataset(tmp_path, migrated_data_dir):
    out = tmp_path / "suite.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PYTHONPATH"] = str(ROOT)
    env["BENCH_MIGRATED_SQLITE"] = str(migrated_data_dir / "spool.sqlite3")  # not migrated again
    command = [sys.executable, "-m", "bench.suite", "--database", "sqlite", "--accounts", "400", "--quick"]
    command += [
        "--readers",
        "10",
        "--returning",
        "4",
        "--seconds",
        "1",
        "--connections",
        "2",
        "--trending-posts",
        "200",
        "--out",
        str(out),
    ]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=900)  # noqa: S603 (our own module)
    result = json.loads(out.read_text())
    assert result["dataset"]["accounts"] == 400
    assert result["returning"]["full_pages"] == result["returning"]["readers"]
    assert len(set(result["queries"].values())) == 1
    assert len(set(result["queries_remembered"].values())) == 1
    assert result["queries_remembered"]["limit=40"] < result["queries"]["limit=40"]  # served again
    home = next(f for f in result["http"] if "timelines/home" in f["scenario"])
    assert home["requests"] > 0 and home["failures"] == 0
    assert home["server_cpu_ms_per_request"] > 0  # the server's processes were found and measured
    assert result["in_process"]["cpu_ms_per_request"] > 0
    assert result["in_process"]["queries_per_page"] == result["queries_remembered"]["limit=40"]
    # SQLite has no notices of changed rows: no page is trusted on them, so nothing is watched.
    assert (
        result["in_process"]["trusted_pages"]["pages"]
        == result["in_process"]["trusted_pages"]["notices"]
        == 0
    )
    assert result["celebrity"]["visible_after_ms"] is not None
    # The page-cache-off line reads the same home as the warm line: measured before the celebrity scenario
    # made an account a celebrity (whose posts every follower's page would then merge at read time).
    uncached = next(f for f in result["http"] if "page cache off" in f["scenario"])
    assert uncached["requests"] > 0 and uncached["celebrities"] == 0
    assert result["fanout"]["sql"]["publish"]["in_followers_store"] is True
    for_you, trending = result["features"]["for_you"], result["features"]["trending"]
    assert for_you["first"]["runs"] > 0 and for_you["items_on_a_first_page"] > 0
    assert for_you["queries"]["first limit=5"] == for_you["queries"]["first limit=40"]
    assert trending["counting"]["posts"] > 0 and trending["refresh"]["runs"] > 0
    report = render_suite(command="test", machine={}, head="test", results={"sqlite": result})
    assert "Home / ceiling" in report and "Returning user's first page" in report
    assert "For You first page" in report and "Trending refresh" in report
    assert "server CPU ms/req" in report and "CPU per warm home request in process" in report
    assert "Pages trusted on notices" not in report  # none were
    trusted = {"pages": 512, "notices": 2048, "index_bytes": 3 * 2**20, "notice_bytes": 2**20}
    result["in_process"]["trusted_pages"] = trusted
    report = render_suite(command="test", machine={}, head="test", results={"sqlite": result})
    assert "512, watching 2,048 distinct notices" in report
    assert "3.0 MiB (6.0 KiB a page)" in report and "1.0 MiB (2.0 KiB a page)" in report


def test_every_bench_module_imports() -> None:
    """Scenarios that the smoke run leaves out still import (a renamed name they use fails here, not in
    ``make bench``)."""
    import importlib
    import pkgutil

    import bench

    for module in pkgutil.iter_modules(bench.__path__):
        if module.name not in {"__main__", "asgi"}:  # entry points: they configure a process as they load
            importlib.import_module(f"bench.{module.name}")
