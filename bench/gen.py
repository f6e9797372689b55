# ruff: noqa: E501  (row tuples of the bulk loads read best unbroken)
"""The benchmark dataset: ``accounts`` people on a power-law follower graph, a week of posts with topics,
likes and reposts, and a token for each *reader* (the people whose home timelines the bench reads).

- Popularity is Zipf-distributed (the chance to be followed falls as ``1/rank^zipf``); how many people
  each person follows is Pareto-distributed around ``follows_each``. With the defaults, at 100k accounts
  some thirty accounts have more than 10,000 followers (the celebrities merged at read time) and the
  median account a handful.
- One account (``star``) has exactly ``star_followers`` followers, for the fan-out-to-10k scenario.
- IDs are snowflakes spread over the time window (30 days for accounts and follows, 7 for posts), so sort
  keys and cursors behave as on a real site; counters (followers, following, posts, likes, reposts) are
  consistent with the rows.
- Rows go in with :func:`bench.bulk.load` (``COPY`` on PostgreSQL, ``executemany`` on SQLite): set-up only,
  no service runs per row. Every measured step then goes through the real code.

Generation is deterministic for a given seed and size; :mod:`bench.datasets` caches the loaded database.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bench.bulk import load, when
from spool.core.snowflake import id_at, time_of

TOPICS = ["gardening", "cooking", "python", "cycling", "jazz", "birds", "films", "running", "chess", "maps"]
TOKEN_SCOPES = "read write follow push"


@dataclass
class GenSizes:
    accounts: int = 100_000
    follows_each: int = 40  # mean; Pareto-distributed, capped
    posts_each: int = 8  # mean over the week
    likes_each: int = 5  # mean likes given per person
    repost_share: float = 0.08
    topic_share: float = 0.3
    private_share: float = 0.03
    star_followers: int = 10_000
    readers: int = 1_000  # accounts that get a token and are read as
    zipf: float = 1.1

    def key(self) -> str:
        return "-".join(f"{v}" for v in asdict(self).values())


@dataclass
class Generated:
    """What the scenarios need to know about a generated dataset (JSON-serialisable, cached with it)."""

    star_id: int
    reader_ids: list[int]
    tokens: list[str]  # one per reader, same order
    top_ids: list[int]  # the most followed accounts, most followed first
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def token_for(seed: int, account_id: int) -> str:
    return f"bench-{seed}-{account_id}"


def _ids(rng: random.Random, count: int, days: float) -> list[int]:
    """``count`` distinct snowflake IDs spread over the last ``days`` days (ending a minute ago), ascending."""
    end = timezone.now() - timedelta(minutes=1)
    span_ms = int(days * 86_400_000)
    start = id_at(end - timedelta(milliseconds=span_ms))
    picks: set[int] = set()
    while len(picks) < count:
        picks.update(
            start + (rng.randrange(span_ms) << 22) + rng.randrange(4096) for _ in range(count - len(picks))
        )
    return sorted(picks)


def _edges(rng: random.Random, sizes: GenSizes, ids: list[int]) -> tuple[dict[int, set[int]], int]:
    """follower → followees: Pareto out-degrees, Zipf in-degrees; the star gets exactly its followers."""
    n = len(ids)
    cum = list(itertools.accumulate(1 / (r + 1) ** sizes.zipf for r in range(n)))
    # Rank 0 is the most followed; the star is at rank n//3 so it is not already a celebrity.
    by_rank = ids[:]
    rng.shuffle(by_rank)
    star = by_rank[n // 3]
    cap = max(1, min(n - 1, 5_000))
    follows: dict[int, set[int]] = {}
    for follower in ids:
        k = min(cap, max(1, int(rng.paretovariate(1.6) * sizes.follows_each * 0.4)))
        picked = rng.choices(by_rank, cum_weights=cum, k=k)
        chosen = {p for p in picked if p != follower and p != star}
        follows[follower] = chosen
    fans = rng.sample([i for i in ids if i != star], min(sizes.star_followers, n - 1))
    for fan in fans:
        follows[fan].add(star)
    return follows, star


def generate(sizes: GenSizes, seed: int = 11) -> Generated:
    """Build the dataset into the current (empty, migrated) database."""
    from spool.identities.models import Account, Follow
    from spool.oauth.models import Application, Token
    from spool.oauth.services import digest
    from spool.posts.models import Like, Post, Repost, Topic

    rng = random.Random(seed)
    n = sizes.accounts
    account_ids = _ids(rng, n, days=60)
    follows, star = _edges(rng, sizes, account_ids)
    followers: dict[int, int] = dict.fromkeys(account_ids, 0)
    for followees in follows.values():
        for b in followees:
            followers[b] += 1
    private = set(rng.sample(account_ids, int(n * sizes.private_share))) - {star}

    post_ids = _ids(rng, n * sizes.posts_each, days=7)
    # Authors: active people post more (a Zipf draw over a shuffled order, independent of popularity).
    posters = account_ids[:]
    rng.shuffle(posters)
    post_cum = list(itertools.accumulate(1 / (r + 1) ** 0.8 for r in range(n)))
    authors = rng.choices(posters, cum_weights=post_cum, k=len(post_ids))
    posts_count: dict[int, int] = {}
    for a in authors:
        posts_count[a] = posts_count.get(a, 0) + 1
    topic_ids = _ids(rng, len(TOPICS), days=60)
    topics = [rng.choice(topic_ids) if rng.random() < sizes.topic_share else None for _ in post_ids]

    likes: set[tuple[int, int]] = set()
    post_pick = list(itertools.accumulate(1 / (r + 1) ** 0.9 for r in range(len(post_ids))))
    shuffled_posts = post_ids[:]
    rng.shuffle(shuffled_posts)
    for post_id in rng.choices(shuffled_posts, cum_weights=post_pick, k=n * sizes.likes_each):
        likes.add((rng.choice(account_ids), post_id))
    reposts: set[tuple[int, int]] = set()
    popular = shuffled_posts[: len(post_ids) // 3]
    for _ in range(int(len(post_ids) * sizes.repost_share)):
        reposts.add((rng.choice(account_ids), rng.choice(popular)))
    likes_of: dict[int, int] = {}
    for _, p in likes:
        likes_of[p] = likes_of.get(p, 0) + 1
    reposts_of: dict[int, int] = {}
    for _, p in reposts:
        reposts_of[p] = reposts_of.get(p, 0) + 1

    following = {a: len(f) for a, f in follows.items()}
    load(
        Account,
        ["id", "handle", "display_name", "bio", "is_private", "created_at", "followers_count",
         "following_count", "posts_count"],
        (
            (a, f"p{i}", f"Person {i}", f"Bench person number {i}.", a in private, when(time_of(a)),
             followers[a], following[a], posts_count.get(a, 0))
            for i, a in enumerate(account_ids)
        ),
    )  # fmt: skip
    load(
        Topic,
        ["id", "name", "display"],
        ((t, name, name.title()) for t, name in zip(topic_ids, TOPICS, strict=True)),
    )
    created = when(timezone.now())
    load(
        Post,
        ["id", "author_id", "text", "topic_id", "created_at", "likes_count", "reposts_count"],
        (
            (p, a, f"Post {p % 100_000} about {TOPICS[p % len(TOPICS)]}, with a few more words to read.", t,
             when(time_of(p)), likes_of.get(p, 0), reposts_of.get(p, 0))
            for p, a, t in zip(post_ids, authors, topics, strict=True)
        ),
    )  # fmt: skip
    edge_list = [(a, b) for a, bs in follows.items() for b in bs]
    rng.shuffle(edge_list)
    follow_ids = _ids(rng, len(edge_list), days=30)
    load(
        Follow,
        ["id", "follower_id", "followee_id", "created_at"],
        ((i, a, b, created) for i, (a, b) in zip(follow_ids, edge_list, strict=True)),
    )
    like_ids = _ids(rng, len(likes), days=7)
    load(
        Like,
        ["id", "account_id", "post_id", "created_at"],
        ((i, a, p, created) for i, (a, p) in zip(like_ids, sorted(likes), strict=True)),
    )
    # A repost comes after its post: its ID is the post's plus a random delay (under a day).
    load(
        Repost,
        ["id", "account_id", "post_id", "created_at"],
        (
            (p + (rng.randrange(86_400_000) << 22) + rng.randrange(4096), a, p, created)
            for a, p in sorted(reposts)
        ),
    )

    # Readers: people who follow a realistic number of accounts (at least 10).
    candidates = [a for a in account_ids if following[a] >= 10 and a != star]
    readers = rng.sample(candidates, min(sizes.readers, len(candidates)))
    app_id = _ids(rng, 1, days=1)[0]
    load(
        Application,
        ["id", "name", "redirect_uris", "scopes", "client_id", "client_secret_digest", "created_at"],
        [
            (
                app_id,
                "bench",
                "urn:ietf:wg:oauth:2.0:oob",
                TOKEN_SCOPES,
                f"bench-{seed}",
                digest("bench"),
                created,
            )
        ],
    )
    tokens = [token_for(seed, r) for r in readers]
    load(
        Token,
        ["id", "application_id", "account_id", "token_digest", "scopes", "created_at"],
        ((t, app_id, r, digest(tok), TOKEN_SCOPES, created) for t, r, tok in zip(_ids(rng, len(readers), 1), readers, tokens, strict=True)),
    )  # fmt: skip
    ranked = sorted(account_ids, key=lambda a: -followers[a])
    ordered = sorted(followers.values())
    return Generated(
        star_id=star,
        reader_ids=readers,
        tokens=tokens,
        top_ids=ranked[:50],
        counts={
            "accounts": n,
            "follows": len(edge_list),
            "posts": len(post_ids),
            "likes": len(likes),
            "reposts": len(reposts),
            "topics": len(TOPICS),
            "readers (with tokens)": len(readers),
            "most followers": ordered[-1],
            "median followers": ordered[n // 2],
            "accounts above 10k followers": sum(1 for v in ordered if v > 10_000),
        },
    )
