"""What an inbox batch asks the database, and that the cheaper way gives the same result: a like or repost
reads its post and checks that the actor may see it in one statement (a post the actor may not see is
refused as before), and the counters a batch changes are applied in one statement per model on PostgreSQL,
exact when a later item of the batch takes a change back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spool.core.batching import batched_tasks
from spool.federation import inbox, tasks
from spool.federation.models import InboxItem, RemotePost
from spool.identities.models import Account
from spool.posts.models import Like, Post, Repost
from tests.federation.test_inbound import follow_remote, post_uri
from tests.federation.test_inbox_batches import ADMIN, GARGRON, _create, _like, _states, _store


@pytest.fixture
def ana(federating: Any) -> Any:
    return federating("ana")


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Any:
    """``run(task)``: the real task, its follow-up tasks sent as the worker sends them (see
    ``test_inbox_batches``)."""

    def call(task: Any) -> Any:
        with batched_tasks(), django_capture_on_commit_callbacks(execute=True):
            return task()

    return call


@pytest.fixture
def one_partition(monkeypatch: Any) -> None:
    monkeypatch.setattr(inbox, "PARTITIONS", 1)


def _post_reads(queries: Any) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "posts_post"' in q["sql"]]


@pytest.mark.usefixtures("one_partition")
def test_a_like_and_a_repost_read_and_check_their_post_in_one_statement_each(
    ana: Any, fediverse: Any, run: Any
) -> None:
    gargron, admin = fediverse.actor(GARGRON), fediverse.actor(ADMIN)
    mine = ana.write("like me and repost me")
    _store(gargron, _like(GARGRON, 1, post_uri(mine)))
    _store(
        admin, {"id": f"{ADMIN}#announces/2", "type": "Announce", "actor": ADMIN, "object": post_uri(mine)}
    )
    with CaptureQueriesContext(connection) as queries:
        assert run(tasks.drain_inbox) == 2

    assert set(_states().values()) == {"done"}
    # The like reads the post (with the check); the repost checks the post the batch remembers.
    assert len(_post_reads(queries)) == 2, _post_reads(queries)
    assert ana.view(mine)["likes_count"] == 1
    assert Repost.objects.filter(post_id=mine["id"]).count() == 1


@pytest.mark.usefixtures("one_partition")
def test_a_like_of_a_post_the_actor_may_not_see_is_refused_and_an_unknown_one_ignored(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """The read that checks finds nothing for both; the outcomes still tell them apart, as before."""
    from spool.federation.actors import account_for_actor
    from spool.identities.services import block_account

    gargron = fediverse.actor(GARGRON)
    block_account(ana.account, account_for_actor(GARGRON))
    mine = ana.write("not for gargron")
    _store(gargron, _like(GARGRON, 1, post_uri(mine)))
    _store(gargron, _like(GARGRON, 2, post_uri({"id": int(mine["id"]) + 12345})))
    _store(
        gargron,
        {
            "id": f"{GARGRON}#undo/3",
            "type": "Undo",
            "actor": GARGRON,
            "object": _like(GARGRON, 1, post_uri(mine)),
        },
    )

    assert run(tasks.drain_inbox) == 3

    errors = dict(InboxItem.objects.values_list("activity_id", "error"))
    assert errors[f"{GARGRON}#likes/1"] == "ignored: This post isn't available."
    assert errors[f"{GARGRON}#likes/2"] == "ignored: unknown post"
    assert errors[f"{GARGRON}#undo/3"] == "ignored: This post isn't available."
    assert not Like.objects.exists()


@pytest.mark.usefixtures("one_partition")
def test_a_batchs_counters_are_exact_and_applied_in_one_statement_per_model(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """Two authors' posts, likes of two posts and a reply created and deleted again in one batch: each
    author's ``posts_count``, each post's ``likes_count`` and the parent's ``replies_count`` come out
    exact (the ``Delete`` takes the summed ``+1`` back rather than hit the zero floor), in one ``UPDATE``
    of the accounts and one of the posts on PostgreSQL."""
    admin, gargron = fediverse.actor(ADMIN), fediverse.actor(GARGRON)
    follow_remote(ana, "admin@mastodon.example.org")
    follow_remote(ana, "gargron@mastodon.example.org")
    first, second = ana.write("like me"), ana.write("and me")
    _store(admin, _create(ADMIN, 1))
    _store(gargron, _create(GARGRON, 2))
    reply = _create(ADMIN, 3, inReplyTo=post_uri(first))
    _store(admin, reply)
    _store(gargron, _like(GARGRON, 4, post_uri(first)))
    _store(admin, _like(ADMIN, 5, post_uri(second)))
    _store(gargron, _like(GARGRON, 6, post_uri(second)))
    reply_uri = reply["object"]["id"]
    _store(admin, {"id": f"{reply_uri}#delete", "type": "Delete", "actor": ADMIN, "object": reply_uri})
    with CaptureQueriesContext(connection) as queries:
        assert run(tasks.drain_inbox) == 7

    assert set(_states().values()) == {"done"}
    assert not RemotePost.objects.filter(uri=reply_uri).exists()
    counts = dict(Account.objects.filter(domain="mastodon.example.org").values_list("handle", "posts_count"))
    assert sorted(counts.values()) == [1, 1], counts
    assert Post.objects.get(pk=first["id"]).likes_count == 1
    assert Post.objects.get(pk=second["id"]).likes_count == 2
    assert Post.objects.get(pk=first["id"]).replies_count == 0
    if connection.vendor == "postgresql":
        # The summed changes (the Delete lowers what its post counted apart: by a count of its rows).
        writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "WITH"))]
        bumps = [sql for sql in writes if "_count" in sql and "COUNT(" not in sql]
        accounts = [sql for sql in bumps if '"posts_count"' in sql and "identities_account" in sql]
        posts = [sql for sql in bumps if '"likes_count"' in sql and "posts_post" in sql]
        assert len(accounts) == 1 and len(posts) == 1, bumps


def test_summed_counters_stop_at_zero_and_apply_in_one_statement(ana: Any) -> None:
    """:func:`spool.core.counters.deferring`: several rows and fields of one model, a change down on a
    zero counter stopping there, a change summed to nothing leaving its row alone."""
    from django.db import transaction

    from spool.core import counters

    posts = [Post.objects.get(pk=ana.write(f"count me {n}")["id"]) for n in range(3)]
    Post.objects.filter(pk=posts[1].pk).update(likes_count=5)
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), counters.deferring():
        counters.add(Post, posts[0].pk, "likes_count", 2)
        counters.add(Post, posts[0].pk, "reposts_count", -1)  # on a zero: stays zero
        counters.add(Post, posts[1].pk, "likes_count", -2)
        counters.add(Post, posts[2].pk, "likes_count", 1)
        counters.add(Post, posts[2].pk, "likes_count", -1)  # nothing in all
    found = {
        p.pk: (p.likes_count, p.reposts_count) for p in Post.objects.filter(pk__in=[p.pk for p in posts])
    }
    assert found == {posts[0].pk: (2, 0), posts[1].pk: (3, 0), posts[2].pk: (0, 0)}
    updates = [q["sql"] for q in queries if "posts_post" in q["sql"] and "_count" in q["sql"]]
    assert len(updates) == (1 if connection.vendor == "postgresql" else 3), updates
