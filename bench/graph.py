"""A generated social graph for the fan-out and home-timeline benchmarks: ``accounts`` people following one
another along a power law (a few accounts followed by very many, most by a handful), each with a week of
top-level posts and some reposts, and one account followed by ``star_followers`` people.

Set-up only: rows are bulk-created directly (with snowflake IDs spread over the week, so sort keys are
realistic); every measured step then goes through the real code paths."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from spool.core.snowflake import id_at
from spool.identities.models import Account, Follow
from spool.posts.models import Post, Repost

BATCH = 5000


@dataclass
class GraphSizes:
    accounts: int = 20_000
    follows_each: int = 40  # mean; drawn from a power law (capped)
    posts_each: int = 8  # mean over the week
    repost_share: float = 0.1
    star_followers: int = 10_000
    zipf: float = 1.1


@dataclass
class Graph:
    account_ids: list[int]
    star_id: int
    counts: dict[str, int] = field(default_factory=dict)


def _ids(rng: random.Random, count: int, days: float = 7.0) -> list[int]:
    """``count`` distinct snowflake IDs spread over the last ``days`` days, ascending."""
    now = timezone.now()
    span_ms = int(days * 86_400_000)
    start = id_at(now - timedelta(milliseconds=span_ms))
    picks: set[int] = set()
    while len(picks) < count:
        picks.add(start + (rng.randrange(span_ms) << 22) + rng.randrange(4096))
    return sorted(picks)


def build(sizes: GraphSizes, seed: int = 11) -> Graph:
    rng = random.Random(seed)
    n = sizes.accounts
    account_ids = _ids(rng, n, days=30)
    with transaction.atomic():
        Account.objects.bulk_create(
            (Account(id=a, handle=f"g{i}") for i, a in enumerate(account_ids)), batch_size=BATCH
        )
    # Popularity by rank (Zipf): the chance to be followed falls as 1/rank^s.
    weights = list(itertools.accumulate(1 / (r + 1) ** sizes.zipf for r in range(n)))
    total = weights[-1]
    star = account_ids[0]
    edges: set[tuple[int, int]] = set()
    for follower in account_ids:
        k = min(n - 1, max(1, int(rng.paretovariate(1.6) * sizes.follows_each * 0.4)))
        for _ in range(k):
            followee = account_ids[bisect.bisect_left(weights, rng.random() * total)]
            if followee != follower:
                edges.add((follower, followee))
    # The star: exactly ``star_followers`` followers.
    edges = {e for e in edges if e[1] != star}
    fans = rng.sample(account_ids[1:], min(sizes.star_followers, n - 1))
    edges |= {(f, star) for f in fans}
    follow_ids = _ids(rng, len(edges), days=30)
    with transaction.atomic():
        Follow.objects.bulk_create(
            (
                Follow(id=i, follower_id=a, followee_id=b)
                for i, (a, b) in zip(follow_ids, sorted(edges), strict=True)
            ),
            batch_size=BATCH,
        )
    followers: dict[int, int] = {}
    following: dict[int, int] = {}
    for a, b in edges:
        followers[b] = followers.get(b, 0) + 1
        following[a] = following.get(a, 0) + 1

    post_ids = _ids(rng, n * sizes.posts_each)
    authors = [rng.choice(account_ids) for _ in post_ids]
    with transaction.atomic():
        Post.objects.bulk_create(
            (Post(id=p, author_id=a, text=f"post {p}") for p, a in zip(post_ids, authors, strict=True)),
            batch_size=BATCH,
        )
    reposts: set[tuple[int, int]] = set()
    for _ in range(int(len(post_ids) * sizes.repost_share)):
        reposts.add((rng.choice(account_ids), rng.choice(post_ids)))
    with transaction.atomic():
        Repost.objects.bulk_create(
            (
                Repost(id=max(p, r) + 1, account_id=a, post_id=p)
                for r, (a, p) in zip(_ids(rng, len(reposts)), sorted(reposts), strict=True)
            ),
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        for account_id in account_ids:
            if account_id in followers or account_id in following:
                Account.objects.filter(id=account_id).update(
                    followers_count=followers.get(account_id, 0), following_count=following.get(account_id, 0)
                )
    return Graph(
        account_ids=account_ids,
        star_id=star,
        counts={
            "accounts": n,
            "follows": len(edges),
            "posts": len(post_ids),
            "reposts": Repost.objects.count(),
            "most followers": max(followers.values()),
            "median followers": sorted(followers.get(a, 0) for a in account_ids)[n // 2],
        },
    )
