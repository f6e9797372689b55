"""The read paths every page goes through, timed on a :class:`~bench.dataset.Dataset`.

Each scenario uses only the public read vocabulary (``visible_to``, ``access_post``, the timelines and
``build_cards``), so the same scenarios time any version of Spool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.dataset import Dataset
from bench.timing import Figure, measure
from spool.identities.models import Account
from spool.posts import timelines
from spool.posts.access import access_post
from spool.posts.models import Post

# A viewer ID no cache has seen: the first read of a person who just arrived.
_FRESH_IDS = iter(range(1 << 40, (1 << 40) + 10_000_000))


def _fresh_viewer() -> Account:
    return Account(id=next(_FRESH_IDS))


def scenarios(data: Dataset, runs: int) -> list[tuple[str, Callable[[int], Any], int]]:
    viewer = data.viewer
    visible = data.visible_post_ids
    people = [a for a in data.accounts if a.pk != viewer.pk]

    def build(i: int) -> Any:
        return Post.objects.visible_to(viewer)

    def build_fresh(i: int) -> Any:
        return Post.objects.visible_to(_fresh_viewer())

    def compile_sql(i: int) -> Any:
        return Post.objects.visible_to(viewer).query.sql_with_params()

    def compile_sql_fresh(i: int) -> Any:
        return Post.objects.visible_to(_fresh_viewer()).query.sql_with_params()

    def compile_anonymous(i: int) -> Any:
        return Post.objects.visible_to(None).query.sql_with_params()

    def access(i: int) -> Any:
        return access_post(viewer, visible[i % len(visible)])

    def home(i: int) -> Any:
        return timelines.home_posts(viewer, limit=20)

    def home_each(i: int) -> Any:
        return timelines.home_posts(people[i % len(people)], limit=20)

    def profile(i: int) -> Any:
        return timelines.profile_posts(viewer, data.profile, "threads", limit=20)

    def thread(i: int) -> Any:
        return timelines.thread(viewer, data.thread_root_id)

    def whats_new_anonymous(i: int) -> Any:
        return timelines.whats_new(None, limit=20)

    many = runs * 10
    return [
        ("visible_to: build the queryset (same viewer)", build, many),
        ("visible_to: build the queryset (a new viewer each time)", build_fresh, many),
        ("visible_to: build + compile SQL (same viewer)", compile_sql, many),
        ("visible_to: build + compile SQL (a new viewer each time)", compile_sql_fresh, many),
        ("visible_to: build + compile SQL (logged out)", compile_anonymous, many),
        ("access_post (one post, with its joins)", access, runs),
        ("home page, 20 cards (same viewer)", home, runs),
        ("home page, 20 cards (a different viewer each time)", home_each, runs),
        ("profile page, 20 cards", profile, runs),
        (f"thread page (root + {data.thread_replies} replies)", thread, runs),
        ("what's new, 20 cards (logged out)", whats_new_anonymous, runs),
    ]


def run_all(data: Dataset, runs: int) -> list[Figure]:
    return [measure(name, call, count) for name, call, count in scenarios(data, runs)]
