"""Issue 4's scenarios on a generated dataset: ``python -m bench.suite --database sqlite|postgres --accounts
N --out FILE [--quick]``. Run by ``python -m bench`` once per database, each in its own process.

In order (each scenario uses what the previous ones left):

1. **Returning users' first page** — readers whose timeline is not held: ``GET /api/v1/timelines/home
   ?limit=40`` in this process (Django's test client: full request, no network), which rebuilds the
   timeline synchronously; p50/p99, and whether every page was full.
2. **Queries per page** at ``limit=5`` and ``limit=40`` (warm reader, cached statuses), and the **CPU per
   warm request in process** (:func:`bench.hotpath.cpu_per_request`: milliseconds of ``process_time``
   through Django's whole handler, which neighbours on a shared machine disturb far less than req/s).
3. **Over real HTTP** (:mod:`bench.serve`: uvicorn workers sized for the cores; :mod:`bench.load`: wrk in
   another process): the *ceiling* (a bare Django view returning 40 ready-made statuses), then the warm home
   timeline at limit=40, full Mastodon JSON, a different reader's token on each request; each load also
   reports the server processes' CPU per request (``server_cpu_ms_per_request``, from ``/proc``).
4. **A celebrity's post** (an account with 1M followers; see :func:`celebrity`) published over HTTP while
   the home load of step 3 runs again: how long until a follower's first page shows it.
5. **Trending refresh** (after counting the newest posts as the after-commit task does) and **For You
   page** (candidate pools refreshed as the beat job does; first page, again, second page; wall and CPU
   time, queries at limit=5 and 40): :mod:`bench.feeds`.
6. **Fan-out**: publishing to 10,000 followers end to end, the store's insert rate, Redis memory per
   million entries (:mod:`bench.fanout`'s measurements).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.datasets import dataset
from bench.fanout import _stats
from bench.gen import Generated, GenSizes
from bench.hotpath import cpu_per_request

HOME = "/api/v1/timelines/home"
# Scenario groups, in the order they run; ``--scenarios`` picks some (``http`` = the ceiling and warm home).
# ``trending`` is the trending half of ``features`` alone.
SCENARIOS = ("returning", "queries", "http", "celebrity", "features", "trending", "fanout")


def _client() -> Any:
    from django.test import Client

    return Client()


def returning(data: Generated, count: int) -> dict[str, Any]:
    """The first page of ``count`` readers whose timeline is not held (each rebuilt on the request). A page
    is *full* when it shows as many posts as it can: 40, or all there are when the reader's followed
    accounts (and the reader) have fewer that the reader may see, as :func:`available` counts them with its
    own query, independent of the timeline code. ``short_pages`` lists readers for whom that is fewer than
    40 (a dataset fact: people who follow few accounts that posted little)."""
    from spool.core import heap

    client = _client()
    # This is the process's first request: it imports the URLconf and the API (about 1.5 s, once per
    # server process, whoever asks first). One returning reader from outside the timed ones goes first,
    # untimed (as ``bench.timing.measure`` warms up), and is reported apart. Then the collector is set as
    # the server sets it (without that, a full collection over the loaded dataset put 400 ms into one
    # reader's request).
    spare = min(count, len(data.reader_ids) - 1)
    started = time.perf_counter()
    client.get(HOME, {"limit": 40}, HTTP_AUTHORIZATION=f"Bearer {data.tokens[spare]}")
    first = round((time.perf_counter() - started) * 1000, 1)
    heap.settle()
    seconds: list[float] = []
    full = 0
    short: list[dict[str, int]] = []
    for reader, token in zip(data.reader_ids[:count], data.tokens[:count], strict=True):
        started = time.perf_counter()
        response = client.get(HOME, {"limit": 40}, HTTP_AUTHORIZATION=f"Bearer {token}")
        seconds.append(time.perf_counter() - started)
        shown = len(response.json()) if response.status_code == 200 else -1
        expected = available(reader, 40)
        full += shown == expected and shown > 0
        if expected < 40:
            short.append({"reader": reader, "shown": shown, "available": expected})
    return {
        **_stats(seconds),
        "full_pages": full,
        "readers": count,
        "short_pages": short,
        "process_first_request_ms": first,
    }


def available(reader_id: int, limit: int) -> int:
    """How many distinct posts (up to ``limit``) the reader's Following feed can show: top-level posts by the
    reader and the accounts they follow, and posts those accounts reposted, that the reader may see."""
    from django.db.models import Q

    from spool.identities.models import Account, Follow
    from spool.posts.models import Post, Repost

    reader = Account.objects.get(id=reader_id)
    sources = [reader_id, *Follow.objects.filter(follower_id=reader_id).values_list("followee_id", flat=True)]
    reposted = Repost.objects.filter(account_id__in=sources, account__is_active=True).values("post_id")
    posts = (
        Post.objects.visible_to(reader)
        .in_feeds_of(reader)
        .filter(Q(author_id__in=sources, is_reply=False) | Q(id__in=reposted))
        .values_list("id", flat=True)[:limit]
    )
    return len(posts)


def warm(data: Generated) -> None:
    """Every reader's timeline held (rebuilt where it is not): set-up for the warm scenarios."""
    from spool.identities.models import Account
    from spool.timelines.home import ensure_held

    for account in Account.objects.filter(id__in=data.reader_ids):
        ensure_held(account)


def queries_per_page(data: Generated, remembered: bool = False) -> dict[str, int]:
    """SQL queries of one warm home page at ``limit=5`` and ``limit=40`` (statuses cached): the page read
    (the page cache off, :mod:`spool.api.mastodon.page_cache`), or with ``remembered`` the page served
    again from the page cache (nothing on it changed since)."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client()
    header = {"HTTP_AUTHORIZATION": f"Bearer {data.tokens[0]}"}
    counts = {}
    saved = settings.SPOOL
    if not remembered:
        settings.SPOOL = saved.model_copy(update={"home_page_cache": 0})
    try:
        for limit in (5, 40):
            for _ in range(3 if remembered else 1):  # statuses cached; a key's facts kept from its 2nd read
                client.get(HOME, {"limit": limit}, **header)
            with CaptureQueriesContext(connection) as captured:
                client.get(HOME, {"limit": limit}, **header)
            counts[f"limit={limit}"] = len(captured)
    finally:
        settings.SPOOL = saved
    return counts


def ceiling_statuses(data: Generated, folder: Path) -> Path:
    """40 statuses as the home timeline renders them, for the ceiling view."""
    response = _client().get(HOME, {"limit": 40}, HTTP_AUTHORIZATION=f"Bearer {data.tokens[0]}")
    path = folder / "ceiling.json"
    path.write_bytes(response.content)
    return path


def celebrity(url: str, data: Generated, load: Any, head_start: float = 2.0) -> dict[str, Any]:
    """An account above the fan-out threshold with 1M followers publishes over HTTP while ``load()`` reads
    home timelines (``head_start`` seconds after it began); a follower's first page is polled until it
    shows the post.

    The follower list is synthetic: the account's ``followers_count`` says 1,000,000, its real follow rows
    are those of the dataset. Above the threshold nothing is written per follower (no fan-out), and a
    follower's read merges the account's newest posts in, so the cost measured here is the read-time merge
    and does not depend on how many followers there are; what 1M real rows would add is only disk."""
    import requests

    from spool.identities.models import Account, Follow
    from spool.oauth import scopes
    from spool.oauth.services import create_application, issue_token

    star_id = data.top_ids[0]
    Account.objects.filter(id=star_id).update(followers_count=1_000_000)
    star = Account.objects.get(id=star_id)
    app = create_application(
        name="bench-star", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write"
    )
    token = issue_token(app.application, star, scopes.parse("read write")).access_token
    fans = set(
        Follow.objects.filter(followee_id=star_id, follower_id__in=data.reader_ids).values_list(
            "follower_id", flat=True
        )
    )
    fan_token = next(t for r, t in zip(data.reader_ids, data.tokens, strict=True) if r in fans)
    result: dict[str, Any] = {"followers_count": 1_000_000}
    background: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: background.update(figure=load()))
    thread.start()
    time.sleep(head_start)  # the load is running
    session = requests.Session()
    posted = session.post(
        f"{url}/api/v1/statuses", json={"status": "A post for a million followers"},
        headers={"Authorization": f"Bearer {token}"}, timeout=120,
    )  # fmt: skip
    published = time.perf_counter()
    status_id = posted.json().get("id") if posted.ok else None
    seen = None
    while status_id and time.perf_counter() - published < 10:
        page = session.get(
            f"{url}{HOME}", params={"limit": 40}, headers={"Authorization": f"Bearer {fan_token}"}, timeout=30
        )
        if page.ok and any(
            s["id"] == status_id or (s.get("reblog") or {}).get("id") == status_id for s in page.json()
        ):
            seen = time.perf_counter() - published
            break
        time.sleep(0.05)
    thread.join()
    result.update(
        published=posted.status_code,
        visible_after_ms=round(seen * 1000, 1) if seen is not None else None,
        load=background.get("figure").as_dict() if background.get("figure") else None,
    )
    return result


def for_you_and_trending(data: Generated, runs: int, counted: int) -> dict[str, Any]:
    """Trending (counting the newest ``counted`` posts, then the refresh) and For You's pages with the pools
    refreshed as the beat job does, in this process (:mod:`bench.feeds`)."""
    from bench import feeds

    refreshes = trending(max(3, runs // 10), counted)
    return {"trending": refreshes, "for_you": feeds.for_you(data.reader_ids, runs)}


def trending(runs: int, counted: int) -> dict[str, Any]:
    """The trending scenario (:func:`bench.feeds.trending`): count the newest ``counted`` posts, then time
    ``runs`` refreshes."""
    from bench import feeds

    return feeds.trending(runs, counted)


def fanout(data: Generated, quick: bool) -> dict[str, Any]:
    """Publishing to the star's 10k followers, the store's insert rate, Redis memory (bench.fanout)."""
    from django.conf import settings

    from bench import fanout as fo
    from spool.timelines.stores import use_store

    out: dict[str, Any] = {}
    from spool.identities.models import Account

    owners = list(Account.objects.order_by("id").values_list("id", flat=True)[: fo.CHUNK * 5])
    for store in fo._stores():
        with use_store(store):
            figures = {"insert_rate": fo.insert_rate(store, owners, 30 if quick else 300)}
            fo._reset_timelines(store, owners)
            figures["publish"] = fo.publish(store, data.star_id, 10_000)
            out[store.name] = figures
    if settings.SPOOL.redis_url:
        out["redis_memory"] = [fo.redis_memory(250 if quick else 1250, 800)]
    return out


def warm_up(urls: list[str], tokens: list[str], passes: int) -> None:
    """Each reader's first page requested ``passes`` times from each server process (its own port): with 3
    passes, each process has rendered (and keeps, in its own memory) every status the timed load will ask
    for, and remembered every page. A warm-up by time instead left most pages cold on a busy machine, so the
    "warm" figure measured first renders."""
    import requests

    def one(url_and_token: tuple[str, str]) -> None:
        url, token = url_and_token
        requests.get(
            f"{url}{HOME}", params={"limit": 40}, headers={"Authorization": f"Bearer {token}"}, timeout=120
        )

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, [(url, token) for _ in range(passes) for url in urls for token in tokens]))


def _over_http(
    args: argparse.Namespace, data: Generated, facts: dict[str, Any], workers: int,
    chosen: set[str], result: dict[str, Any], tmp: Path,
) -> None:  # fmt: skip
    """Steps 3 and 4: the ceiling and the warm home over HTTP (with the page cache on, then off), then the
    celebrity's post under load.

    The page-cache-off line is measured before the celebrity scenario, on the database the warm line read:
    that scenario makes the dataset's most followed account a celebrity (above the fan-out threshold), after
    which nearly every reader's page merges its posts at read time (two more statements a page on SQLite),
    so a line measured after it is not "the same warm home" and differs by which scenarios ran."""
    from bench import load as loads
    from bench.serve import server, tree_cpu_seconds

    ceiling = ceiling_statuses(data, tmp)
    seconds = min(3, args.seconds) if args.quick else args.seconds
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    log(f"bench.suite: {args.database}: warming the other readers' timelines…")
    warm(data)
    passes = 1 if args.quick else 3

    def timed(name: str, urls: list[str], path: str, tokens: list[str], pid: int) -> loads.LoadFigure:
        log(f"bench.suite: {args.database}: {name}…")
        cpu = tree_cpu_seconds(pid)
        figure = loads.run(name, urls, path, tokens, seconds=seconds, connections=args.connections)
        if figure.requests:
            spent = tree_cpu_seconds(pid) - cpu
            figure.server_cpu_ms_per_request = round(spent * 1000 / figure.requests, 2)
        return figure

    uncached: dict[str, Any] | None = None
    if "http" in chosen:
        # The same warm home with the page cache off (spool.api.mastodon.page_cache): what a page costs when
        # something on it changed since the reader's last one, every time.
        off_pids: list[int] = []
        off = {"SPOOL_HOME_PAGE_CACHE": "0"}
        with server(args.database, facts["name"], facts["prefix"], workers, ceiling, off_pids, off) as urls:
            warm_up(urls, data.tokens, passes=passes)
            name = "GET /api/v1/timelines/home?limit=40 (warm, page cache off: every page read)"
            uncached = timed(name, urls, f"{HOME}?limit=40", data.tokens, off_pids[0]).as_dict()
            uncached["celebrities"] = celebrities()
    pids: list[int] = []
    with server(args.database, facts["name"], facts["prefix"], workers, ceiling, pids) as urls:
        # Every reader's page rendered in each worker (statuses cached in the process), untimed.
        warm_up(urls, data.tokens, passes=passes)
        if "http" in chosen:
            figures = [
                timed(name, urls, path, tokens, pids[0]).as_dict()
                for name, path, tokens in (
                    ("ceiling: bare Django view, 40 ready-made statuses", "/bench/ceiling", []),
                    ("GET /api/v1/timelines/home?limit=40 (warm)", f"{HOME}?limit=40", data.tokens),
                )
            ]
            result["http"] = [*figures, uncached]
        if "celebrity" in chosen:
            log(f"bench.suite: {args.database}: celebrity post during home load…")
            try:
                result["celebrity"] = celebrity(
                    urls[0], data,
                    lambda: loads.run("home during the celebrity's post", urls, f"{HOME}?limit=40",
                                      data.tokens, seconds=seconds, connections=args.connections),
                    head_start=min(2.0, seconds / 3),
                )  # fmt: skip
            except Exception as exc:
                result["celebrity"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}


def celebrities() -> int:
    """How many accounts are above the fan-out threshold (their posts merged into pages at read time)."""
    from django.conf import settings

    from spool.identities.models import Account

    return Account.objects.filter(followers_count__gt=settings.SPOOL.fanout_threshold).count()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--readers", type=int, default=500)
    parser.add_argument("--returning", type=int, default=200, help="readers timed on their first page")
    parser.add_argument("--seconds", type=float, default=20, help="length of each HTTP load")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=0, help="server processes (0: one per core)")
    parser.add_argument(
        "--quick", action="store_true", help="short loads (3 s at most), fewer runs (smoke runs)"
    )
    parser.add_argument(
        "--trending-posts",
        type=int,
        default=0,
        help="posts counted for trending (0: 3,000 quick, else 20,000)",
    )
    parser.add_argument("--fresh", action="store_true", help="generate the dataset even if cached")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    chosen = set(args.scenarios.split(","))
    if chosen - set(SCENARIOS):
        parser.error(f"unknown scenarios: {', '.join(sorted(chosen - set(SCENARIOS)))}")
    from bench.report import cores

    workers = args.workers or max(1, cores())
    generated = min(1_000, max(10, args.accounts // 20))
    readers = min(args.readers, generated)
    sizes = GenSizes(
        accounts=args.accounts, readers=generated, star_followers=min(10_000, args.accounts // 2)
    )
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    result: dict[str, Any] = {"database": args.database, "workers": workers, "quick": args.quick}
    started = time.perf_counter()
    with (
        dataset(args.database, sizes, fresh=args.fresh, log=log) as (data, facts),
        tempfile.TemporaryDirectory() as tmp,
    ):
        data.reader_ids, data.tokens = data.reader_ids[:readers], data.tokens[:readers]
        import django
        from django.conf import settings

        from bench.run import _database_version

        result.update(
            dataset=data.counts, dataset_facts=facts, database_version=_database_version(args.database),
            redis=bool(settings.SPOOL.redis_url), python=f"Python {platform.python_version()}",
            django=f"Django {django.get_version()}",
        )  # fmt: skip
        if "returning" in chosen:
            log(f"bench.suite: {args.database}: returning users…")
            result["returning"] = returning(data, min(args.returning, readers // 2))
        if "queries" in chosen:
            result["queries"] = queries_per_page(data)
            result["queries_remembered"] = queries_per_page(data, remembered=True)
            log(f"bench.suite: {args.database}: CPU per warm home request in process…")
            result["in_process"] = cpu_per_request(data, 100 if args.quick else 1_000)
        if chosen & {"http", "celebrity"}:
            _over_http(args, data, facts, workers, chosen, result, Path(tmp))
        counted = args.trending_posts or (3_000 if args.quick else 20_000)
        if "features" in chosen:
            log(f"bench.suite: {args.database}: For You, trending…")
            result["features"] = for_you_and_trending(data, 20 if args.quick else 100, counted)
        elif "trending" in chosen:
            log(f"bench.suite: {args.database}: trending…")
            result["features"] = {"trending": trending(3 if args.quick else 10, counted)}
        if "fanout" in chosen:
            log(f"bench.suite: {args.database}: fan-out…")
            result["fanout"] = fanout(data, args.quick)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    Path(args.out).write_text(json.dumps(result, indent=2, default=str))
    log(f"bench.suite: {args.database} done in {result['seconds']} s")


if __name__ == "__main__":
    main()
