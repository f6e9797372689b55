"""For You and trending on the bench dataset (issue 4's "For You page" and "trending refresh" scenarios), in
the bench process, through the same functions production runs:

1. **Trending counting**: the newest public posts of the dataset (generated in bulk, so never counted) are
   counted one by one through ``trending.services.count_post`` — what the ``count_for_trending`` task does
   after each post commits — so the activity stores hold what a live site's would; CPU per post.
   First a burst of posts, replies and likes in a few topics is added to the run copy (:mod:`bench.burst`),
   so topics trend against their own baseline and the highlight queries run.
2. **Trending refresh**: ``refresh_trending`` (the beat job's service) timed ``runs`` times, then the SQL
   time of its slowest queries in one more run.
3. **Candidate pools**: ``refresh_candidate_pools`` (the beat job's service), timed once; the pools then
   hold what the job keeps in production, so no ranking computes one.
4. **For You first page** at limit=40 for ``runs`` readers, each ranked afresh (their session forgotten
   first, as after five idle minutes); then the same page again (the session's cached ranking) and the
   second page (its cursor). Wall time and CPU time (``time.process_time``: the bench process is the
   server here, so neighbours on a shared machine disturb it less than wall time) per page, and the SQL
   queries of one first page at limit=5 and limit=40.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench.burst import BurstSizes, dataset_now, inject_burst
from bench.timing import percentile


def _timed(call: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def _stats(samples: list[tuple[float, float]]) -> dict[str, float]:
    walls = [w for w, _ in samples]
    cpus = [c for _, c in samples]
    return {
        "runs": len(samples),
        "p50_ms": round(statistics.median(walls) * 1000, 2),
        "p95_ms": round(percentile(walls, 0.95) * 1000, 2),
        "p99_ms": round(percentile(walls, 0.99) * 1000, 2),
        "max_ms": round(max(walls) * 1000, 2),
        "cpu_p50_ms": round(statistics.median(cpus) * 1000, 2),
        "cpu_mean_ms": round(statistics.fmean(cpus) * 1000, 2),
    }


def _queries(call: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def count_trending(posts: int) -> dict[str, Any]:
    """Count the newest ``posts`` posts of the last ``RETENTION_HOURS`` as the after-commit task does."""
    from django.utils import timezone

    from spool.core.snowflake import id_at
    from spool.feeds.trending.services import count_post
    from spool.feeds.trending.store import RETENTION_HOURS
    from spool.posts.models import Post

    since = id_at(timezone.now() - timedelta(hours=RETENTION_HOURS))
    ids = list(Post.objects.filter(id__gte=since).order_by("-id").values_list("id", flat=True)[:posts])
    cpu = time.process_time()
    wall = time.perf_counter()
    for post_id in reversed(ids):
        count_post(post_id)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    spans = Post.objects.filter(id__in=ids[-1:] + ids[:1]).order_by("id").values_list("created_at", flat=True)
    hours = (spans[len(spans) - 1] - spans[0]).total_seconds() / 3600 if len(spans) == 2 else 0
    return {
        "posts": len(ids),
        "hours_covered": round(hours, 1),
        "cpu_ms_per_post": round(cpu / max(1, len(ids)) * 1000, 3),
        "wall_ms_per_post": round(wall / max(1, len(ids)) * 1000, 3),
    }


def trending(runs: int, count: int, burst: BurstSizes | None = None) -> dict[str, Any]:
    """Scenarios 1 and 2: a burst added (:mod:`bench.burst`), the newest posts counted, then the refresh
    timed, with the SQL time of its slowest queries in one run."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from spool.feeds.trending.services import refresh_trending

    # The refresh runs at the dataset's own "now" (just after it was generated), not the clock's: a dataset
    # generated hours ago would otherwise leave the trending window empty. Posts that earlier scenarios
    # published (at the clock's time) do not move it.
    now = dataset_now()
    added = inject_burst(now, burst)
    counted = count_trending(count)
    found: dict[str, Any] = {}
    at = now + timedelta(minutes=1)

    def refresh() -> None:
        with transaction.atomic():  # as the task runs it; the cache is written on commit
            found.update(refresh_trending(at))

    samples = [_timed(refresh) for _ in range(runs)]
    with CaptureQueriesContext(connection) as captured:
        refresh()
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:SLOWEST]
    return {
        "burst": added,
        "counting": counted,
        "refresh": _stats(samples),
        "refresh_queries": len(captured),
        "slowest_queries_ms": [[round(float(q["time"]) * 1000, 1), _label(q["sql"])] for q in slowest],
        "topics": len(found.get("topics", [])),
        "burst_topics_trending": sum(t["topic_id"] in added["topic_ids"] for t in found.get("topics", [])),
        "keywords": len(found.get("keywords", [])),
    }


SLOWEST = 4


def _label(sql: str) -> str:
    """A query's first table and first columns, to tell the refresh's queries apart in the report."""
    import re

    table = re.search(r'FROM "?(\w+)"?', sql)
    columns = re.findall(r'AS "(\w+)"', sql)[:3]
    return f"{table.group(1) if table else '?'}: {', '.join(columns)}"


def for_you(reader_ids: list[int], runs: int) -> dict[str, Any]:
    """Scenarios 3 and 4 for the last ``runs`` readers."""
    from spool.feeds.for_you.feed import for_you_page, forget_ranking
    from spool.feeds.for_you.pools import refresh_candidate_pools
    from spool.identities.models import Account

    sizes: dict[str, int] = {}
    pools = _timed(lambda: sizes.update(refresh_candidate_pools()))
    readers = list(Account.objects.filter(id__in=reader_ids[-runs:]))
    cursors: dict[int, str | None] = {}

    def first(reader: Account, limit: int = 40) -> None:
        forget_ranking(reader.id)
        cursors[reader.id] = for_you_page(reader, None, limit).next_cursor

    first_pages = [_timed(lambda r=r: first(r)) for r in readers]
    again = [_timed(lambda r=r: for_you_page(r, None, 40)) for r in readers]
    second = [_timed(lambda r=r: for_you_page(r, cursors[r.id], 40)) for r in readers if cursors[r.id]]
    probe = readers[0]
    shown = len(for_you_page(probe, None, 40).items)
    return {
        "pools": {
            "sizes": sizes,
            "refresh_ms": round(pools[0] * 1000, 1),
            "cpu_ms": round(pools[1] * 1000, 1),
        },
        "first": _stats(first_pages),
        "again": _stats(again),
        "second": _stats(second) if second else None,
        "items_on_a_first_page": shown,
        "queries": {
            "first limit=5": _queries(lambda: first(probe, 5)),
            "first limit=40": _queries(lambda: first(probe, 40)),
            "again limit=40": _queries(lambda: for_you_page(probe, None, 40)),
        },
    }
