"""The inbox drains stored activities in batches: one task applies many, in the order they arrived, each in
a savepoint of its own, so one that fails is retried alone and none is applied twice.

The activities are POSTed, signed, to the real inbox with a plain test client, whose request never
commits: the items stay pending and no drain starts, as when a burst arrives faster than the worker
drains. Then one drain (the real task) applies them all."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from spool.core.batching import batched_tasks
from spool.federation import inbox, tasks
from spool.federation.models import Delivery, InboxItem, RemoteActor, RemotePost
from spool.identities.models import Account, Follow
from spool.posts.models import Like
from tests.api.mastodon.conftest import token_client
from tests.federation.conftest import deliver_to_inbox
from tests.federation.test_inbound import PUBLIC, actor_uri, follow_remote, post_uri

ADMIN = "http://mastodon.example.org/users/admin"
GARGRON = "http://mastodon.example.org/users/gargron"


@pytest.fixture
def ana(federating: Any) -> Any:
    return federating("ana")


def _create(author: str, n: int, **extra: Any) -> dict[str, Any]:
    note = {
        "id": f"{author}/statuses/{n}",
        "type": "Note",
        "attributedTo": author,
        "content": f"<p>batch note {n}</p>",
        "to": [PUBLIC],
        **extra,
    }
    return {"id": f"{note['id']}/activity", "type": "Create", "actor": author, "object": note, "to": [PUBLIC]}


def _like(actor: str, n: int, target: str) -> dict[str, Any]:
    return {"id": f"{actor}#likes/{n}", "type": "Like", "actor": actor, "object": target}


def _store(actor: Any, activity: dict[str, Any]) -> None:
    """Stored by the inbox (202), not yet processed."""
    assert deliver_to_inbox(Client(), actor, activity).status_code == 202


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Any:
    """``run(task, *args)``: the real task, with what it does after commit run as it would in the worker:
    the follow-up tasks its commit causes are collected and sent as batches (one ``run_tasks`` each)."""

    def call(task: Any, *args: Any) -> Any:
        with batched_tasks(), django_capture_on_commit_callbacks(execute=True):
            return task(*args)

    return call


@pytest.fixture
def one_partition(monkeypatch: Any) -> None:
    """All actors in one partition: a drain then applies every item in arrival order, across actors too
    (with several partitions, as on PostgreSQL, that order holds for each actor's own activities)."""
    monkeypatch.setattr(inbox, "PARTITIONS", 1)


def _states() -> dict[str, str]:
    return dict(InboxItem.objects.values_list("activity_id", "state"))


@pytest.mark.usefixtures("one_partition")
def test_one_drain_applies_a_burst_in_arrival_order(ana: Any, fediverse: Any, run: Any) -> None:
    admin, gargron = fediverse.actor(ADMIN), fediverse.actor(GARGRON)
    follow_remote(ana, "admin@mastodon.example.org")
    mine = ana.write("like me")
    created = _create(ADMIN, 1)
    _store(admin, created)
    # Gargron likes admin's new post, stored right after it: the same batch must apply the Create first.
    _store(gargron, _like(GARGRON, 1, created["object"]["id"]))
    _store(gargron, _like(GARGRON, 2, post_uri(mine)))
    _store(admin, _like(ADMIN, 3, post_uri(mine)))
    assert set(_states().values()) == {"pending"}

    assert run(tasks.drain_inbox) == 4

    assert set(_states().values()) == {"done"}
    post = RemotePost.objects.get(uri=created["object"]["id"]).post
    assert Like.objects.filter(post=post, account__domain="mastodon.example.org").count() == 1
    assert ana.view(mine)["likes_count"] == 2
    # The follow-up work (timeline fan-out, sent as one batched task) reached ana's home timeline.
    home = token_client(ana.account).get("/api/v1/timelines/home").json()
    assert any("batch note 1" in status["content"] for status in home), home
    assert run(tasks.drain_inbox) == 0  # nothing left, nothing applied twice
    assert ana.view(mine)["likes_count"] == 2


def test_a_failing_item_is_retried_alone_and_the_others_are_done(ana: Any, fediverse: Any, run: Any) -> None:
    admin, gargron = fediverse.actor(ADMIN), fediverse.actor(GARGRON)
    mine = ana.write("like me")
    _store(gargron, _like(GARGRON, 1, post_uri(mine)))
    _store(admin, _like(ADMIN, 2, post_uri(mine)))
    _store(gargron, _like(GARGRON, 3, post_uri(ana.write("and me"))))
    # Admin's account is gone from here by the time the worker comes, and its server is down.
    RemoteActor.objects.filter(uri=ADMIN).delete()
    fediverse.serve_json(ADMIN, {"error": "unavailable"}, status=503)

    run(tasks.drain_inbox)

    states = _states()
    assert states[f"{ADMIN}#likes/2"] == "pending"
    assert states[f"{GARGRON}#likes/1"] == states[f"{GARGRON}#likes/3"] == "done"
    assert ana.view(mine)["likes_count"] == 1
    failed = InboxItem.objects.get(activity_id=f"{ADMIN}#likes/2")
    assert failed.attempts == 1 and failed.error
    assert run(tasks.drain_inbox) == 0  # a drain takes fresh items only; retries wait for their backoff

    fediverse.serve_json(ADMIN, admin.document())  # the server is back
    InboxItem.objects.filter(pk=failed.pk).update(received_at=timezone.now() - timedelta(hours=1))
    run(tasks.retry_deliveries)

    assert InboxItem.objects.get(pk=failed.pk).state == "done"
    assert ana.view(mine)["likes_count"] == 2
    assert run(tasks.process_inbox_item, failed.pk) == "skipped"  # applied once only
    assert ana.view(mine)["likes_count"] == 2


def test_an_item_that_keeps_failing_is_given_up(ana: Any, fediverse: Any, run: Any) -> None:
    admin = fediverse.actor(ADMIN)
    _store(admin, _like(ADMIN, 1, post_uri(ana.write("like me"))))
    RemoteActor.objects.filter(uri=ADMIN).delete()
    fediverse.serve_json(ADMIN, {"error": "unavailable"}, status=503)
    item = InboxItem.objects.get()
    run(tasks.drain_inbox)
    outcomes = [run(tasks.process_inbox_item, item.pk) for _ in range(5)]
    assert outcomes == ["retrying", "retrying", "retrying", "failed", "skipped"]
    assert InboxItem.objects.get(pk=item.pk).state == "failed"
    assert not Like.objects.exists()


def test_a_segment_that_fails_whole_records_its_error_and_is_given_up_in_the_end(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """An error outside the items' savepoints (here the counter update applied before the commit: the
    post's like count at its column's limit) rolls the whole segment back. Its items stay pending for a
    retry with the error recorded on each, and are given up after ``MAX_ATTEMPTS``, like an item that
    failed alone."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's integers do not overflow: its arithmetic turns them into reals")
    from spool.posts.models import Post

    mine = ana.write("like me")
    Post.objects.filter(pk=mine["id"]).update(likes_count=2**31 - 1)
    _store(fediverse.actor(GARGRON), _like(GARGRON, 1, post_uri(mine)))

    run(tasks.drain_inbox)

    item = InboxItem.objects.get()
    assert (item.state, item.attempts) == ("pending", 1)
    assert item.error.startswith("DataError: integer out of range"), item.error
    assert not Like.objects.exists()
    InboxItem.objects.filter(pk=item.pk).update(attempts=inbox.MAX_ATTEMPTS - 1, error="")
    assert run(tasks.process_inbox_item, item.pk) == "failed"
    item.refresh_from_db()
    assert item.state == "failed" and item.error.startswith("DataError")


def test_the_inbox_itself_drains_what_it_stored(anon: Any, ana: Any, fediverse: Any) -> None:
    """Through the committing client: the drain the inbox asks for after commit applies the item."""
    admin = fediverse.actor(ADMIN)
    mine = ana.write("like me")
    assert deliver_to_inbox(anon, admin, _like(ADMIN, 1, post_uri(mine))).status_code == 202
    assert _states() == {f"{ADMIN}#likes/1": "done"}
    assert ana.view(mine)["likes_count"] == 1


def test_a_drain_leaves_a_partition_to_the_one_running_and_drains_the_others(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """On PostgreSQL two workers drain side by side, each partition of the actors in one at a time (so one
    actor's activities apply in order): a drain skips the partition another drain holds and applies the
    rest; once that one lets go, the next drain takes what was left."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the partition locks are PostgreSQL's")
    import psycopg

    held = inbox.DRAIN_LOCK + inbox._partition(ADMIN)
    assert inbox._partition(ADMIN) != inbox._partition(GARGRON)
    admin, gargron = fediverse.actor(ADMIN), fediverse.actor(GARGRON)
    mine = ana.write("like me")
    _store(admin, _like(ADMIN, 1, post_uri(mine)))
    _store(gargron, _like(GARGRON, 2, post_uri(mine)))
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [held])  # another worker drains admin's partition
        assert run(tasks.drain_inbox) == 1
        assert _states() == {f"{ADMIN}#likes/1": "pending", f"{GARGRON}#likes/2": "done"}
        admins = InboxItem.objects.get(activity_id=f"{ADMIN}#likes/1")
        assert run(tasks.process_inbox_item, admins.pk) == "busy"
        admins.refresh_from_db()
        assert (admins.state, admins.attempts) == ("pending", 0)
        other.execute("SELECT pg_advisory_unlock(%s)", [held])  # that drain ends
    assert run(tasks.drain_inbox) == 1
    assert ana.view(mine)["likes_count"] == 2


def test_an_actors_undo_applies_after_its_like_across_batches(
    ana: Any, fediverse: Any, run: Any, monkeypatch: Any
) -> None:
    """A Like and its Undo land in two batches (one item each): the Undo still finds the like."""
    monkeypatch.setattr(inbox, "BATCH", 1)
    gargron = fediverse.actor(GARGRON)
    mine = ana.write("like me")
    like = _like(GARGRON, 1, post_uri(mine))
    _store(gargron, like)
    _store(gargron, {"id": f"{GARGRON}#undo/1", "type": "Undo", "actor": GARGRON, "object": like})
    assert run(tasks.drain_inbox) == 2
    assert set(_states().values()) == {"done"}
    assert ana.view(mine)["likes_count"] == 0
    assert not Like.objects.exists()


@pytest.mark.usefixtures("one_partition")
def test_a_batch_forgets_a_post_once_it_is_deleted(ana: Any, fediverse: Any, run: Any) -> None:
    """A batch remembers the posts it found (many likes of one post look it up once), and forgets them
    after a ``Delete``: a like of the deleted post later in the same batch finds nothing."""
    admin, gargron = fediverse.actor(ADMIN), fediverse.actor(GARGRON)
    follow_remote(ana, "admin@mastodon.example.org")
    created = _create(ADMIN, 1)
    uri = created["object"]["id"]
    _store(admin, created)
    _store(gargron, _like(GARGRON, 1, uri))
    _store(admin, _like(ADMIN, 2, uri))
    delete = {"id": f"{uri}#delete", "type": "Delete", "actor": ADMIN, "object": uri}
    _store(admin, delete)
    _store(gargron, {"id": f"{GARGRON}#announces/3", "type": "Announce", "actor": GARGRON, "object": uri})
    _store(gargron, _like(GARGRON, 4, uri))

    assert run(tasks.drain_inbox) == 6

    states = _states()
    assert states[f"{GARGRON}#likes/1"] == states[f"{ADMIN}#likes/2"] == states[f"{uri}#delete"] == "done"
    assert states[f"{GARGRON}#likes/4"] == "ignored"
    assert InboxItem.objects.get(activity_id=f"{GARGRON}#likes/4").error == "ignored: unknown post"
    assert not RemotePost.objects.filter(uri=uri).exists()
    assert not Like.objects.exists()


@pytest.mark.usefixtures("one_partition")
def test_a_post_created_and_deleted_in_one_batch_leaves_its_topic_uncounted(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """The batch sums counter changes to its end; the ``Delete`` of a post created earlier in the same batch
    must take its topic's count back through the same sum (lowered at once, the zero floor swallowed the
    ``-1`` and the summed ``+1`` then left the count one too high)."""
    from spool.posts.models import Topic

    admin = fediverse.actor(ADMIN)
    follow_remote(ana, "admin@mastodon.example.org")
    created = _create(ADMIN, 1, tag=[{"type": "Hashtag", "name": "#quokkas", "href": "https://x.example/q"}])
    uri = created["object"]["id"]
    _store(admin, created)
    _store(admin, {"id": f"{uri}#delete", "type": "Delete", "actor": ADMIN, "object": uri})

    assert run(tasks.drain_inbox) == 2

    assert set(_states().values()) == {"done"}
    assert not RemotePost.objects.filter(uri=uri).exists()
    assert Topic.objects.get(name="quokkas").posts_count == 0


@pytest.mark.usefixtures("one_partition")
def test_a_like_by_an_actor_deleted_later_in_the_batch_leaves_the_post_uncounted(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """A like's ``+1`` waits for the batch's end; the ``Delete`` of its actor later in the same batch must
    take it back through the same sum (lowered at once, the zero floor swallowed the ``-1`` and the like
    was counted with no like left)."""
    gargron = fediverse.actor(GARGRON)
    mine = ana.write("like me, then leave")
    _store(gargron, _like(GARGRON, 1, post_uri(mine)))
    _store(gargron, {"id": f"{GARGRON}#delete", "type": "Delete", "actor": GARGRON, "object": GARGRON})

    assert run(tasks.drain_inbox) == 2

    assert set(_states().values()) == {"done"}
    assert not Like.objects.exists()
    assert ana.view(mine)["likes_count"] == 0


def test_lookups_are_remembered_inside_a_batch_only() -> None:
    from spool.federation.remembered import forget, remembered, remembering

    calls: list[str] = []

    def lookup(value: Any) -> Any:
        return lambda: calls.append(value) or value

    assert remembered("k", lookup("outside")) == "outside"
    assert remembered("k", lookup("outside again")) == "outside again"  # nothing kept outside a batch
    with remembering():
        assert remembered("k", lookup(None)) is None  # not found: not kept
        assert remembered("k", lookup("found")) == "found"
        assert remembered("k", lookup("later")) == "found"  # kept
        forget()
        assert remembered("k", lookup("after forget")) == "after forget"
    assert calls == ["outside", "outside again", None, "found", "after forget"]


def test_the_accepts_of_a_batch_are_all_sent(ana: Any, fediverse: Any, run: Any) -> None:
    """Every Follow of a batch is answered with its Accept, once the batch has committed."""
    followers = [ADMIN, GARGRON]
    for n, uri in enumerate(followers):
        follow = {"id": f"{uri}#follows/{n}", "type": "Follow", "actor": uri, "object": actor_uri(ana)}
        _store(fediverse.actor(uri), follow)

    assert run(tasks.drain_inbox) == 2

    accepts = fediverse.deliveries("Accept")
    assert sorted(a.activity["object"]["actor"] for a in accepts) == followers
    assert not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists()


def test_each_follow_of_a_batch_is_accepted_by_its_own_id(ana: Any, fediverse: Any, run: Any) -> None:
    """A server that sends its Follow again (it lost our Accept) before we applied the first gets an
    Accept of each, naming each Follow's own id, even when both are applied in one batch (the Accept of
    the first used to name the latest Follow stored, the second)."""
    admin = fediverse.actor(ADMIN)
    follows = [
        {"id": f"{ADMIN}#follows/{n}", "type": "Follow", "actor": ADMIN, "object": actor_uri(ana)}
        for n in (1, 2)
    ]
    for follow in follows:
        _store(admin, follow)

    assert run(tasks.drain_inbox) == 2

    accepted = [a.activity["object"]["id"] for a in fediverse.deliveries("Accept")]
    assert sorted(accepted) == [follow["id"] for follow in follows]


@pytest.mark.usefixtures("one_partition")  # the third sender in arrival order is the one held
def test_the_follow_up_work_of_a_batch_is_done_for_every_post(ana: Any, fediverse: Any, run: Any) -> None:
    """A batch's new posts get their follow-up work as one set-based call per kind of work (the batch
    runners of :mod:`spool.core.batching`): each reaches the home timeline of the person who follows its
    author, is found by search, counted for trending once, and scored for spam, the third account to send
    the same text held for review."""
    from spool.feeds.trending.services import count_posts
    from spool.moderation.models import TextFingerprint
    from spool.posts.models import ModerationState, Post

    authors = [ADMIN, GARGRON, "http://mastodon.example.org/users/third"]
    api = token_client(ana.account)
    api.get("/api/v1/timelines/home")  # ana reads her timeline: it is held and fanned out to
    actors = {uri: fediverse.actor(uri) for uri in authors}
    for uri in authors:
        follow_remote(ana, f"{uri.rsplit('/', 1)[-1]}@mastodon.example.org")
    same = "<p>Win a shiny free phone today, just reply with your address</p>"
    for n, uri in enumerate(authors):
        _store(actors[uri], _create(uri, n, content=same))
    _store(actors[ADMIN], _create(ADMIN, 9, content="<p>quokkas are the happiest animals</p>"))

    assert run(tasks.drain_inbox) == 4

    posts = [RemotePost.objects.get(uri=f"{uri}/statuses/{n}").post_id for n, uri in enumerate(authors)]
    quokka = RemotePost.objects.get(uri=f"{ADMIN}/statuses/9").post_id
    home = {int(status["id"]) for status in api.get("/api/v1/timelines/home").json()}
    assert home >= {posts[0], posts[1], quokka} and posts[2] not in home  # held: hidden from her
    found = api.get("/api/v2/search", q="quokkas", type="statuses").json()["statuses"]
    assert [int(status["id"]) for status in found] == [quokka]
    assert count_posts([*posts, quokka]) == 0  # every one counted already, none again
    assert TextFingerprint.objects.filter(post_id__in=[*posts, quokka]).count() == 4
    states = dict(Post.objects.filter(pk__in=[*posts, quokka]).values_list("pk", "moderation_state"))
    assert [states[pk] for pk in posts] == [
        ModerationState.NONE,
        ModerationState.NONE,
        ModerationState.REVIEW,
    ]
    assert states[quokka] == ModerationState.NONE


def test_items_are_applied_without_a_savepoint_each(ana: Any, fediverse: Any, run: Any) -> None:
    """A savepoint per item costs two statements; items rarely fail, so a batch runs without them (one in
    which an item raises is applied again with them: the tests above)."""
    from django.test.utils import CaptureQueriesContext

    gargron = fediverse.actor(GARGRON)
    for n in range(5):
        _store(gargron, _like(GARGRON, n, post_uri(ana.write(f"like me {n}"))))
    with CaptureQueriesContext(connection) as queries:
        assert run(tasks.drain_inbox) == 5
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    # Inside the test's transaction the batch's own transaction is a savepoint too. None per item, and
    # none of the like service's own (spool.core.savepoints: the first pass needs none).
    assert len(savepoints) <= 1, savepoints


@pytest.mark.usefixtures("one_partition")
def test_a_like_the_service_refuses_is_ignored_and_the_others_counted_once(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """The services take no savepoint on a batch's first pass either: a like the service refuses after
    its transaction began (ana blocks the liker) sends the batch through again, with savepoints. The
    refusal is recorded as before; every other like counts once, two likes of one post in the batch both,
    and the post created in the batch is stored once."""
    from spool.federation.actors import account_for_actor
    from spool.identities.services import block_account

    third = "http://mastodon.example.org/users/third"
    admin, gargron, other = fediverse.actor(ADMIN), fediverse.actor(GARGRON), fediverse.actor(third)
    follow_remote(ana, "admin@mastodon.example.org")
    block_account(ana.account, account_for_actor(GARGRON))
    mine = ana.write("like me")
    created = _create(ADMIN, 1)
    _store(admin, created)
    _store(admin, _like(ADMIN, 1, post_uri(mine)))
    _store(gargron, _like(GARGRON, 2, post_uri(mine)))  # refused: ana blocks gargron
    _store(other, _like(third, 3, post_uri(mine)))
    _store(other, _like(third, 4, created["object"]["id"]))

    assert run(tasks.drain_inbox) == 5

    states = _states()
    assert states[f"{GARGRON}#likes/2"] == "ignored"
    assert {states[f"{ADMIN}#likes/1"], states[f"{third}#likes/3"], states[f"{third}#likes/4"]} == {"done"}
    assert InboxItem.objects.get(activity_id=f"{GARGRON}#likes/2").error.startswith("ignored")
    assert ana.view(mine)["likes_count"] == 2
    assert Like.objects.filter(post__id=mine["id"]).count() == 2
    post = RemotePost.objects.get(uri=created["object"]["id"]).post
    assert RemotePost.objects.filter(uri=created["object"]["id"]).count() == 1
    post.refresh_from_db()
    assert post.likes_count == 1


def test_the_follow_up_work_of_a_batchs_posts_leaves_in_one_message(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """The four kinds of follow-up work of a batch's new posts (timelines, search, spam, trending) go out as
    one task message, not one per kind."""
    from celery.signals import task_prerun

    admin = fediverse.actor(ADMIN)
    follow_remote(ana, "admin@mastodon.example.org")
    for n in range(3):
        _store(admin, _create(ADMIN, n))
    messages: list[tuple[str, Any]] = []

    def record(task: Any = None, args: Any = (), **_: Any) -> None:
        messages.append((task.name, args))

    task_prerun.connect(record, weak=False)
    try:
        assert run(tasks.drain_inbox) == 3
    finally:
        task_prerun.disconnect(record)

    groups = [args[0] for name, args in messages if name == "spool.core.tasks.run_task_groups"]
    assert len(groups) == 1, messages
    assert {name: len(calls) for name, calls in groups[0]} == {
        "spool.timelines.tasks.fan_out_post": 3,
        "spool.search.tasks.index_post": 3,
        "spool.moderation.tasks.score_post": 3,
        "spool.feeds.tasks.count_for_trending": 3,
    }
    assert not [name for name, _ in messages if name == "spool.core.tasks.run_tasks"]


@pytest.mark.usefixtures("one_partition")
def test_a_batchs_new_posts_are_looked_for_at_once_and_each_stored_once(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """The notes of a batch's Creates are looked for in one query: those not held are known to be new. A
    note created earlier in the batch is found again (a second Create of it, a Like of it), and one held
    before the batch is not stored twice."""
    admin, gargron = fediverse.actor(ADMIN), fediverse.actor(GARGRON)
    follow_remote(ana, "admin@mastodon.example.org")
    held = _create(ADMIN, 1)
    _store(admin, held)
    run(tasks.drain_inbox)
    again = {**_create(ADMIN, 1), "id": f"{ADMIN}/statuses/1/again"}  # the held note, another activity id
    new = _create(ADMIN, 2)
    repeat = {**_create(ADMIN, 2), "id": f"{ADMIN}/statuses/2/again"}  # the new note twice in the batch
    for activity in (again, new, repeat):
        _store(admin, activity)
    _store(gargron, _like(GARGRON, 1, new["object"]["id"]))

    assert run(tasks.drain_inbox) == 4

    assert set(_states().values()) == {"done"}
    assert RemotePost.objects.filter(uri=held["object"]["id"]).count() == 1
    assert RemotePost.objects.filter(uri=new["object"]["id"]).count() == 1
    post = RemotePost.objects.get(uri=new["object"]["id"]).post
    assert post.likes_count == 1
    assert Like.objects.filter(post=post).count() == 1


@pytest.mark.usefixtures("one_partition")
def test_only_activities_that_lock_people_end_a_segment(ana: Any, fediverse: Any, run: Any) -> None:
    """On PostgreSQL a batch commits after each activity that locks people's rows (a Follow, an Undo of
    one): an Undo of a like locks none, and the items after it apply in the same transaction."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite applies a batch in one transaction")
    from django.test.utils import CaptureQueriesContext

    admin, gargron = fediverse.actor(ADMIN), fediverse.actor(GARGRON)
    mine = ana.write("like me")
    like = _like(GARGRON, 1, post_uri(mine))
    follow = {"id": f"{ADMIN}#follows/1", "type": "Follow", "actor": ADMIN, "object": actor_uri(ana)}
    _store(gargron, like)
    _store(gargron, {"id": f"{GARGRON}#undo/1", "type": "Undo", "actor": GARGRON, "object": like})
    _store(admin, _like(ADMIN, 2, post_uri(mine)))
    _store(admin, follow)  # ends the first segment
    _store(admin, {"id": f"{ADMIN}#undo/2", "type": "Undo", "actor": ADMIN, "object": follow})  # the second
    _store(gargron, _like(GARGRON, 3, post_uri(mine)))  # the third
    with CaptureQueriesContext(connection) as queries:
        assert run(tasks.drain_inbox) == 6
    # The claims lock with SKIP LOCKED; each segment locks its items again, in its own transaction.
    locks = [q["sql"] for q in queries if q["sql"].startswith('SELECT "federation_inboxitem"."id"')]
    segments = [sql for sql in locks if sql.endswith("FOR UPDATE")]
    assert len(segments) == 3, segments
    assert set(_states().values()) == {"done"}
    assert ana.view(mine)["likes_count"] == 2
    assert not Follow.objects.filter(followee=ana.account).exists()


def test_a_follow_reads_the_follow_edge_once_and_the_counters_not_again(
    ana: Any, fediverse: Any, run: Any
) -> None:
    """A remote Follow of one of ours: the follow service finds, under its lock, whether the edge exists
    (the handler asks it rather than looking first), and the counter update returns the counters it set
    (no read after it). A Follow repeated is accepted again."""
    from django.test.utils import CaptureQueriesContext

    admin = fediverse.actor(ADMIN)
    follow = {"id": f"{ADMIN}#follows/1", "type": "Follow", "actor": ADMIN, "object": actor_uri(ana)}
    _store(admin, follow)
    with CaptureQueriesContext(connection) as queries:
        assert run(tasks.drain_inbox) == 1
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in reads if 'FROM "identities_follow"' in sql]) == 1, reads
    counters = '"followers_count" AS "followers_count"'  # the counters read alone (refresh_counters)
    assert not [sql for sql in reads if counters in sql], reads
    assert Follow.objects.filter(followee=ana.account, follower__domain="mastodon.example.org").count() == 1
    assert Account.objects.get(pk=ana.account.pk).followers_count == 1
    _store(admin, {**follow, "id": f"{ADMIN}#follows/2"})
    assert run(tasks.drain_inbox) == 1
    assert len(fediverse.deliveries("Accept")) == 2
