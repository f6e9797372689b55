"""A burst of activity for the trending scenario, added to the run copy of a dataset (never to the cached
template): the generated week is uniform, so without it no topic stands out from its own baseline, or
nothing trends at all, and the refresh skips its costliest part (the highlight queries).

:func:`inject_burst` gives a few of the dataset's topics, in the last ``HOURS`` before the dataset's own
"now" (:func:`dataset_now`), many top-level posts by many public accounts, replies to them by others and
likes from many more, with the posts' and authors' counters kept consistent. Rows go in with
:func:`bench.bulk.load` like the generator's; their IDs carry node bits no process leases
(``BURST_NODE``), so they never collide with generated or live rows, and a second call finds the burst
there and adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from bench.bulk import load, when
from spool.core.id_nodes import UNLEASED_NODE
from spool.core.snowflake import NODE_SHIFT, id_at, time_of

HOURS = 2
BURST_NODE = UNLEASED_NODE
TEXT = "Burst:"


@dataclass(frozen=True)
class BurstSizes:
    topics: int = 3  # of the dataset's topics, by name order
    posts: int = 300  # top-level posts per topic
    authors: int = 250  # distinct people posting them, per topic
    replies: int = 600  # per topic, by people other than the post's author
    likes: int = 4_000  # per topic, spread over its posts with a long tail


def dataset_now() -> datetime:
    """When the dataset was generated: its bench application's creation (the generated likes, follows and
    tokens carry the same time). Posts that later scenarios publish do not move it."""
    from spool.oauth.models import Application
    from spool.posts.models import Post

    made = Application.objects.filter(name="bench").values_list("created_at", flat=True).first()
    if made is None:
        made = Post.objects.order_by("-id").values_list("created_at", flat=True).first()
    if made is None:
        raise RuntimeError("bench.burst: an empty dataset has no time")
    return made


def _ids(rng: random.Random, start: datetime, end: datetime, count: int) -> list[int]:
    """``count`` distinct snowflakes between ``start`` and ``end`` (ascending), in ``BURST_NODE``."""
    span = int((end - start).total_seconds() * 1000)
    first = id_at(start)
    node = BURST_NODE << NODE_SHIFT
    return [first + (ms << 22) + node for ms in sorted(rng.sample(range(span), count))]


def _already(start: datetime, end: datetime) -> bool:
    from spool.posts.models import Post

    return Post.objects.filter(id__gte=id_at(start), id__lt=id_at(end), text__startswith=TEXT).exists()


def inject_burst(now: datetime, sizes: BurstSizes | None = None, seed: int = 4) -> dict[str, Any]:
    """Add the burst ending at ``now``; returns what it added (nothing when it is there already)."""
    from spool.identities.models import Account
    from spool.posts.models import Like, Post, Topic

    sizes = sizes or BurstSizes()
    rng = random.Random(seed)
    start, end = now - timedelta(hours=HOURS), now - timedelta(minutes=1)
    topics = list(Topic.objects.order_by("name").values_list("id", "name")[: sizes.topics])
    result: dict[str, Any] = {**asdict(sizes), "added": False}
    result.update(topic_ids=[t for t, _ in topics], topic_names=[n for _, n in topics])
    if _already(start, end):
        return result
    public = list(Account.objects.filter(is_active=True, is_private=False).values_list("id", flat=True))
    per_topic = sizes.posts + sizes.replies
    ids = _ids(rng, start, end, per_topic * len(topics))
    rng.shuffle(ids)
    posts: list[tuple[Any, ...]] = []
    likes: set[tuple[int, int]] = set()
    for n, (topic_id, name) in enumerate(topics):
        mine = ids[n * per_topic : (n + 1) * per_topic]
        tops = sorted(mine[: sizes.posts])
        authors = rng.sample(public, min(sizes.authors, len(public)))
        top_rows = [(p, rng.choice(authors)) for p in tops]
        for p, a in top_rows:
            posts.append((p, a, f"{TEXT} {name} right now, everyone is talking about it.", topic_id, False,
                          None, None, None, None))  # fmt: skip
        for p in sorted(mine[sizes.posts :]):
            older = [row for row in top_rows if row[0] < p]
            if not older:
                continue
            parent, parent_author = older[min(len(older) - 1, int(rng.paretovariate(1.2)) - 1)]
            author = rng.choice([a for a in rng.sample(public, 3) if a != parent_author])
            posts.append((p, author, f"{TEXT} replying about {name}.", None, True,
                          parent, parent, parent_author, parent_author))  # fmt: skip
        for _ in range(sizes.likes):  # a long tail: a few posts get most of the likes
            likes.add((rng.choice(public), tops[min(len(tops) - 1, int(rng.paretovariate(0.8)) - 1)]))
    with transaction.atomic():
        load(
            Post,
            ["id", "author_id", "text", "topic_id", "is_reply", "reply_to_id", "root_id",
             "reply_to_author_id", "root_author_id", "created_at"],
            ((*row, when(time_of(row[0]))) for row in posts),
        )  # fmt: skip
        like_rows = sorted(likes, key=lambda like: like[1])
        like_times = [time_of(p) + (end - time_of(p)) * rng.random() for _, p in like_rows]
        load(
            Like,
            ["id", "account_id", "post_id", "created_at"],
            (
                (id_at(t) + (BURST_NODE << NODE_SHIFT) + i % 4096, a, p, when(t))
                for i, ((a, p), t) in enumerate(zip(like_rows, like_times, strict=True))
            ),
        )
        _recount(start, end)
    replies = sum(1 for row in posts if row[4])
    return {**result, "added": True, "posts_added": len(posts) - replies, "replies_added": replies,
            "likes_added": len(likes)}  # fmt: skip


def _recount(start: datetime, end: datetime) -> None:
    """The burst's counters: likes and replies of its posts, posts of its authors, uses of its topics."""
    from spool.identities.models import Account
    from spool.posts.models import Like, Post, Topic

    posts, likes = Post._meta.db_table, Like._meta.db_table
    accounts, topics = Account._meta.db_table, Topic._meta.db_table
    low, high = id_at(start), id_at(end + timedelta(minutes=1))

    def burst(alias: str) -> str:
        return f"{alias}.id >= {low} AND {alias}.id < {high} AND {alias}.text LIKE '{TEXT}%'"

    def added_to(table: str, column: str) -> str:
        return (
            f"UPDATE {table} SET posts_count = posts_count + (SELECT COUNT(*) FROM {posts} p WHERE "
            f"p.{column} = {table}.id AND {burst('p')}) WHERE id IN (SELECT {column} FROM {posts} b "
            f"WHERE {burst('b')})"
        )

    statements = [
        f"UPDATE {posts} SET likes_count = (SELECT COUNT(*) FROM {likes} l WHERE l.post_id = {posts}.id), "
        f"replies_count = (SELECT COUNT(*) FROM {posts} r WHERE r.reply_to_id = {posts}.id) "
        f"WHERE {burst(posts)}",
        added_to(accounts, "author_id"),
        added_to(topics, "topic_id"),
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
