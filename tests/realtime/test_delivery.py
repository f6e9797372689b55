"""Which channel-layer groups hear of what, after commit only: listened to with bare channels on the real
layer (in-process, or Redis when ``REDIS_URL`` is set) while the real services run."""

from __future__ import annotations

import pytest
from django.db import transaction

from spool.feeds.lists import add_list_members, create_list
from spool.identities.services import follow_account
from spool.notifications.models import Notification
from spool.posts.services import create_post, delete_post, repost_post
from spool.realtime.groups import hashtag_group, home_group, list_group, notifications_group, public_group
from tests.realtime.sockets import db, listen, person, run, upload

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def test_a_post_reaches_the_home_feeds_of_its_author_and_followers_and_the_public_streams() -> None:
    ana, bob = person("ana"), person("bob")
    follow_account(bob, ana)

    async def scenario() -> None:
        bobs_home = await listen(home_group(bob.id))
        anas_home = await listen(home_group(ana.id))
        public = await listen(public_group("all"), public_group("local"))
        post = await db(create_post)(ana, text="Hello")
        for receive in (bobs_home, anas_home):
            message = await receive()
            assert message["type"] == "realtime.status"
            assert (message["event"], message["post_id"], message["repost_id"]) == ("update", post.id, None)
        assert {(await public())["group"], (await public())["group"]} == {"public", "public.local"}

    run(scenario)


def test_a_rolled_back_post_reaches_nobody() -> None:
    ana = person("ana")

    def write_then_fail() -> None:
        with pytest.raises(Rollback), transaction.atomic():
            create_post(ana, text="never happened")
            raise Rollback

    async def scenario() -> None:
        home = await listen(home_group(ana.id))
        await db(write_then_fail)()
        kept = await db(create_post)(ana, text="this one stays")
        message = await home()
        assert message["post_id"] == kept.id  # the first message is the committed post's

    run(scenario)


def test_replies_stay_out_of_home_and_public_streams_but_reach_their_topic() -> None:
    ana, bob = person("ana"), person("bob")
    follow_account(bob, ana)
    parent = create_post(bob, text="Question?")

    async def scenario() -> None:
        bobs_home = await listen(home_group(bob.id), public_group("all"))
        topic = await listen(hashtag_group("Cinema"))
        reply = await db(create_post)(ana, text="An answer", reply_to_id=parent.id, topic="cinema")
        assert (await topic())["post_id"] == reply.id  # any spelling of the tag is the same group
        top = await db(create_post)(bob, text="Top level")
        message = await bobs_home()
        assert message["post_id"] == top.id  # the reply went to neither

    run(scenario)


def test_private_profiles_posts_stay_out_of_public_streams() -> None:
    ana, bob = person("ana"), person("bob")
    from spool.identities.services import update_profile

    update_profile(ana, is_private=True)

    async def scenario() -> None:
        public = await listen(public_group("all"))
        await db(create_post)(ana, text="for my followers")
        shown = await db(create_post)(bob, text="for everyone")
        assert (await public())["post_id"] == shown.id

    run(scenario)


def test_posts_with_images_also_reach_the_media_streams() -> None:
    ana = person("ana")

    async def scenario() -> None:
        media_only = await listen(public_group("all", media=True), public_group("local", media=True))
        media = await db(upload)(ana)
        post = await db(create_post)(ana, text="Look", media_ids=[media.id])
        first, second = await media_only(), await media_only()
        assert {first["group"], second["group"]} == {"public.media", "public.local.media"}
        assert first["post_id"] == second["post_id"] == post.id

    run(scenario)


def test_a_repost_reaches_the_reposters_followers_with_its_id() -> None:
    ana, bob, cy = person("ana"), person("bob"), person("cy")
    follow_account(cy, bob)
    post = create_post(ana, text="Worth sharing")

    async def scenario() -> None:
        cys_home = await listen(home_group(cy.id))
        await db(repost_post)(bob, post.id)
        message = await cys_home()
        assert message["type"] == "realtime.status" and message["post_id"] == post.id
        assert message["repost_id"] is not None

    run(scenario)


def test_a_repost_reaches_the_lists_holding_the_reposter() -> None:
    ana, bob, cy = person("ana"), person("bob"), person("cy")
    follow_account(cy, bob)
    close = create_list(cy, title="Close friends")
    add_list_members(cy, close.id, [bob.id])
    post = create_post(ana, text="Worth a list")

    async def scenario() -> None:
        cys_list = await listen(list_group(close.id))
        await db(repost_post)(bob, post.id)
        message = await cys_list()
        assert message["type"] == "realtime.status" and message["post_id"] == post.id
        assert message["repost_id"] is not None

    run(scenario)


def test_a_deleted_post_sends_its_id_to_home_feeds_and_public_streams() -> None:
    ana, bob = person("ana"), person("bob")
    follow_account(bob, ana)
    post = create_post(ana, text="Oops")

    async def scenario() -> None:
        bobs_home = await listen(home_group(bob.id))
        public = await listen(public_group("all"))
        await db(delete_post)(ana, post.id)
        for receive in (bobs_home, public):
            message = await receive()
            assert message == {
                **message,
                "type": "realtime.event",
                "event": "delete",
                "payload": str(post.id),
            }

    run(scenario)


def test_a_new_notification_reaches_its_recipient() -> None:
    ana, bob = person("ana"), person("bob")

    async def scenario() -> None:
        anas = await listen(notifications_group(ana.id))
        await db(follow_account)(bob, ana)
        message = await anas()
        notification = await db(Notification.objects.get)(recipient=ana, kind="follow")
        assert message["type"] == "realtime.notification"
        assert message["notification_id"] == notification.id

    run(scenario)


def test_an_undone_repost_sends_the_reblogs_id_as_deleted() -> None:
    from spool.posts.models import Repost
    from spool.posts.services import undo_repost

    ana, bob, cy = person("ana"), person("bob"), person("cy")
    follow_account(cy, bob)
    post = create_post(ana, text="Boosted, then not")
    repost_post(bob, post.id)
    repost_id = Repost.objects.get(account=bob).id

    async def scenario() -> None:
        cys_home = await listen(home_group(cy.id))
        await db(undo_repost)(bob, post.id)
        message = await cys_home()
        assert (message["event"], message["payload"]) == ("delete", str(repost_id))

    run(scenario)


def test_a_process_nobody_can_listen_in_works_out_no_groups() -> None:
    """A worker's in-process layer never holds a group: its post handlers push nothing and ask nothing of
    the database; once someone listens in this process the groups are worked out again."""
    from asgiref.sync import async_to_sync
    from channels.layers import InMemoryChannelLayer, get_channel_layer
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spool.posts.events import PostCreated
    from spool.realtime.delivery import on_post_created
    from spool.realtime.push import nobody_listens

    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        assert not nobody_listens()  # Redis: who listens is not known here
        return
    async_to_sync(get_channel_layer().flush)()  # no listener left over from another test
    ana = person("ana")
    post = create_post(ana, text="Hello")
    event = PostCreated(post_id=post.id, author_id=ana.id)
    assert nobody_listens()
    with CaptureQueriesContext(connection) as queries:
        on_post_created(event)
    assert len(queries) == 0

    async def scenario() -> None:
        home = await listen(home_group(ana.id))
        assert not nobody_listens()
        await db(on_post_created)(event)
        assert (await home())["post_id"] == post.id

    run(scenario)


def test_posts_worked_out_together_reach_the_groups_each_reaches_alone() -> None:
    """The set-based look-up for a batch of new posts gives every post the groups the one-post look-up
    gives it: lists by replies policy, home feeds, public and media streams, topics."""
    from spool.feeds.lists import add_list_members, create_list
    from spool.identities.services import update_profile
    from spool.realtime.delivery import post_groups, posts_groups

    ana, bob, cy, dee = person("ana"), person("bob"), person("cy"), person("dee")
    for follower, followee in ((bob, ana), (bob, cy), (dee, ana), (dee, cy), (cy, ana), (ana, dee)):
        follow_account(follower, followee)
    update_profile(dee, is_private=True)
    members = create_list(bob, title="Members", replies_policy="list")
    followed = create_list(dee, title="Followed", replies_policy="followed")
    silent = create_list(cy, title="None", replies_policy="none")
    add_list_members(bob, members.id, [ana.id, cy.id])
    add_list_members(dee, followed.id, [ana.id])
    add_list_members(cy, silent.id, [ana.id])
    top = create_post(ana, text="Top", topic="cinema")
    posts = [
        top,
        create_post(ana, text="With a picture", media_ids=[upload(ana).id]),
        create_post(ana, text="To a member", reply_to_id=create_post(cy, text="Hi").id),
        create_post(ana, text="To the followed", reply_to_id=create_post(cy, text="Yo", topic="x").id),
        create_post(ana, text="To the owner", reply_to_id=create_post(dee, text="Private").id),
        create_post(ana, text="To nobody listed", reply_to_id=create_post(bob, text="Hey").id),
        create_post(cy, text="Back", reply_to_id=top.id),
    ]
    together = posts_groups([post.id for post in posts] + [0])
    assert set(together) == {post.id for post in posts}  # a post gone since is left out
    for post in posts:
        assert together[post.id] == post_groups(post.id)
    # A reply to a member of one list whom the other list's owner follows; to a list's owner; to neither.
    assert set(together[posts[2].id]) == {f"list.{members.id}", f"list.{followed.id}"}
    assert together[posts[4].id] == [f"list.{followed.id}"]
    assert together[posts[5].id] == []


def test_new_posts_of_a_batch_are_pushed_when_it_ends() -> None:
    from spool.core.batching import batched_tasks
    from spool.realtime.push import event_message, push

    ana, bob = person("ana"), person("bob")
    follow_account(bob, ana)

    def two_posts_in_a_batch() -> list[int]:
        with batched_tasks():
            first, second = create_post(ana, text="One"), create_post(ana, text="Two")
            push(home_group(bob.id), event_message("marker", "sent inside the batch"))
        return [first.id, second.id]

    async def scenario() -> None:
        home = await listen(home_group(bob.id))
        ids = await db(two_posts_in_a_batch)()
        assert (await home())["event"] == "marker"  # the posts were held until the batch ended
        for post_id in ids:
            assert await home() == {
                "type": "realtime.status",
                "event": "update",
                "post_id": post_id,
                "repost_id": None,
                "group": home_group(bob.id),
            }

    run(scenario)


def test_the_reposts_of_a_batch_reach_each_reposters_followers_and_lists_in_order() -> None:
    """Inside a batch (the inbox's), the reposts' groups are worked out for all of them when it ends;
    each still reaches its reposter's followers and lists, in the order they happened."""
    from spool.core.batching import batched_tasks
    from spool.posts.models import Repost
    from spool.posts.services import undo_repost
    from spool.realtime.push import event_message, push

    ana, bob, cy, dee = person("ana"), person("bob"), person("cy"), person("dee")
    follow_account(cy, bob)
    follow_account(cy, dee)
    close = create_list(cy, title="Close friends")
    add_list_members(cy, close.id, [dee.id])
    post = create_post(ana, text="Worth sharing twice")

    def reposts_in_a_batch() -> tuple[int, int]:
        with batched_tasks():
            repost_post(bob, post.id)
            repost_post(dee, post.id)
            bobs = Repost.objects.get(account=bob).id
            undo_repost(bob, post.id)
            push(home_group(cy.id), event_message("marker", "sent inside the batch"))
        return bobs, Repost.objects.get(account=dee).id

    async def scenario() -> None:
        home, listed = await listen(home_group(cy.id)), await listen(list_group(close.id))
        bobs, dees = await db(reposts_in_a_batch)()
        assert (await home())["event"] == "marker"  # held until the batch ended
        assert [
            (m["event"], m.get("repost_id") or m.get("payload")) for m in [await home() for _ in range(3)]
        ] == [
            ("update", bobs),
            ("update", dees),
            ("delete", str(bobs)),
        ]
        message = await listed()
        assert (message["event"], message["repost_id"]) == ("update", dees)

    run(scenario)


def test_a_post_reaches_exactly_the_followers_listening_across_the_chunks_asked_about(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Who listens is asked about ``CHUNK`` groups at a time (on Redis, one script per chunk): followers
    listening at the first and last place of a chunk, at the first of the next and at the very end are
    found, and only they, and each gets the post."""
    from spool.realtime import push

    monkeypatch.setattr(push, "CHUNK", 3)
    star = person("star")
    fans = [person(f"fan{i}") for i in range(8)]
    for fan in fans:
        follow_account(fan, star)
    listening = [fans[0], fans[2], fans[3], fans[7]]

    async def scenario() -> None:
        from channels.layers import get_channel_layer

        groups = [home_group(star.id), *(home_group(fan.id) for fan in fans)]
        homes = [await listen(home_group(fan.id)) for fan in listening]
        # Home groups in follow order with the author's first: the listeners sit at 1, 3, 4 and 8 of 9.
        assert await push._listened(get_channel_layer(), groups) == [home_group(f.id) for f in listening]
        post = await db(create_post)(star, text="For my fans")
        for fan, home in zip(listening, homes, strict=True):
            message = await home()
            assert (message["post_id"], message["group"]) == (post.id, home_group(fan.id))

    run(scenario)
