"""The federation bench cannot rot: ``python -m bench.federation`` runs end to end at a tiny size on SQLite
(a real server, real Celery workers, real signatures, the stand-in servers) and counts correctly. No timing
is asserted: only that every activity was accepted and processed, every delivery reached its server with a
signature that verified, in both delivery modes, and that the page section was written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACTIVITIES, SERVERS = 40, 5


def test_the_federation_bench_runs_and_counts_on_a_tiny_setup(
    tmp_path: Path, migrated_data_dir: Path
) -> None:
    page, results = tmp_path / "performance.md", tmp_path / "results.json"
    page.write_text("# Performance\n\nKept text.\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PYTHONPATH"] = str(ROOT)
    env["BENCH_MIGRATED_SQLITE"] = str(migrated_data_dir / "spool.sqlite3")  # not migrated again
    command = [sys.executable, "-m", "bench.federation", "--databases", "sqlite", "--ingest", str(ACTIVITIES)]
    command += ["--actors", "4", "--connections", "4", "--fanout", str(SERVERS), "--posts", "1"]
    command += ["--out", str(page), "--results", str(results)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=900)  # noqa: S603 (our own module)

    (run,) = json.loads(results.read_text())
    ingest = run["ingest"]
    assert sum(ingest["mix"].values()) == ACTIVITIES
    assert set(ingest["mix"]) == {"Create", "Like", "Announce", "Follow", "Undo"}
    assert ingest["accepted"] == ACTIVITIES and ingest["refused"] == {}
    states = ingest["states"]
    assert states.get("pending", 0) == 0 and states.get("failed", 0) == 0
    assert states.get("done", 0) + states.get("ignored", 0) == ACTIVITIES
    assert states["done"] > 0
    assert ingest["processed_per_s"] is not None
    assert ingest["accepts_delivered"] >= ingest["mix"]["Follow"]  # each Follow was answered with an Accept

    before, after = run["fanout"]
    for mode in (before, after):
        assert mode["refused"] == 0  # every signature verified at the stand-in servers
        (post,) = mode["posts"]
        assert post["reached"] == post["inboxes"] == SERVERS
        assert post["delivered_rows"] == SERVERS

    text = page.read_text()
    assert "Kept text." in text
    assert text.count("<!-- bench.federation:start -->") == 1
    assert "Inbox ingest" in text and "Fan-out" in text
