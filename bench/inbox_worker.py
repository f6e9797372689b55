"""The inbox worker's cost in this process: ``python -m bench.inbox_worker --database sqlite|postgres
[--activities N] [--actors A] [--profile FILE]``.

The world of :mod:`bench.federation` (local people with posts, remote senders they follow), then
``--activities`` activities in its mix stored as the inbox stores them (signatures are the accept side's
cost, not measured here) and applied by :func:`spool.federation.inbox.drain` as the worker does, the
follow-up tasks the batches send run eagerly in this process. Reports CPU milliseconds per activity
(``time.process_time``: what neighbours on a shared machine disturb least): the whole drain, the share of
it spent in the follow-up tasks (timelines, search, spam, trending), and by verb (a second set of the
same activities, applied one verb at a time, in batches of that verb only). ``--profile`` writes a
cProfile of the mixed drain (``python -m pstats FILE``), or with ``--profile-verb VERB`` of that verb's
drain only.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from typing import Any

from bench.inbox_accept import setup_process

VERBS = ["Create", "Like", "Announce", "Follow", "Undo"]


def _store(items: list[tuple[Any, str, dict[str, Any]]]) -> list[int]:
    """Store the activities as :func:`spool.federation.inbox.receive` does (one pending item each)."""
    from spool.federation.models import InboxItem

    rows = [
        InboxItem(
            activity_id=activity["id"],
            activity_type=activity["type"],
            actor_uri=activity["actor"],
            body=activity,
        )
        for _, _, activity in items
    ]
    return [row.id for row in InboxItem.objects.bulk_create(rows)] if rows else []


def _drain(follow_up: list[float], profile: str = "") -> tuple[int, float]:
    """Drain every pending item; (how many, CPU seconds)."""
    from spool.federation import inbox

    profiler = cProfile.Profile(time.process_time) if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    done = 0
    while True:
        n = inbox.drain(budget_seconds=3600)
        done += n
        if not n:
            break
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return done, time.process_time() - started


def measure(count: int, actors: int, profile: str, profile_verb: str = "") -> dict[str, Any]:
    from django.db import connection

    from bench.federation import activities, build
    from spool.core import batching
    from spool.federation.models import InboxItem

    follow_up: list[float] = []
    run_all = batching.run_all

    def timed_run_all(name: str, calls: list[list[Any]]) -> int:
        started = time.process_time()
        try:
            return run_all(name, calls)
        finally:
            follow_up.append(time.process_time() - started)

    batching.run_all = timed_run_all  # type: ignore[assignment]
    world = build(actors, 0, 9, 9)
    warm = activities(world, 200, "warm", seed=1)
    _store(warm)
    _drain(follow_up)
    mixed = activities(world, count, "mix", seed=2)
    _store(mixed)
    follow_up.clear()
    done, cpu = _drain(follow_up, "" if profile_verb else profile)
    result: dict[str, Any] = {
        "database": connection.vendor,
        "activities": done,
        "mix": dict(Counter(a["type"] for _, _, a in mixed)),
        "cpu_ms_per_activity": round(cpu * 1000 / max(done, 1), 2),
        "follow_up_cpu_ms_per_activity": round(sum(follow_up) * 1000 / max(done, 1), 2),
        "states": dict(Counter(InboxItem.objects.values_list("state", flat=True))),
        "by_verb": {},
    }
    by_kind: dict[str, list[tuple[Any, str, dict[str, Any]]]] = defaultdict(list)
    for item in activities(world, count, "verb", seed=3):
        by_kind[item[2]["type"]].append(item)
    for verb in VERBS:
        _store(by_kind[verb])
        follow_up.clear()
        done, cpu = _drain(follow_up, profile if verb == profile_verb else "")
        result["by_verb"][verb] = {
            "activities": done,
            "cpu_ms": round(cpu * 1000 / max(done, 1), 2),
            "follow_up_cpu_ms": round(sum(follow_up) * 1000 / max(done, 1), 2),
        }
    batching.run_all = run_all  # type: ignore[assignment]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox_worker", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--actors", type=int, default=100)
    parser.add_argument("--profile", default="")
    parser.add_argument("--profile-verb", choices=VERBS, default="")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="spool-bench-inbox-") as tmp:
        setup_process(args.database, tmp)
        from spool.celery import app

        app.conf.task_always_eager = True  # the follow-up tasks run here, timed apart
        started = time.perf_counter()
        result = measure(args.activities, args.actors, args.profile, args.profile_verb)
        result["wall_s"] = round(time.perf_counter() - started, 1)
        print(json.dumps(result, indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
