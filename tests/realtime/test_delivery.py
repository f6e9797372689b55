"""Which channel-layer groups hear of what, after commit only: listened to with bare channels on the real
layer (in-process, or Redis when ``REDIS_URL`` is set) while the real services run."""

from __future__ import annotations

import pytest
from django.db import transaction

from spool.identities.services import follow_account
from spool.notifications.models import Notification
from spool.posts.services import create_post, delete_post, repost_post
from spool.realtime.groups import hashtag_group, home_group, notifications_group, public_group
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
