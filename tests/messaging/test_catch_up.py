"""Catch-up after a disconnect over ``/ws/messages``: every kind of change made while a client was away (new
messages, edits, unsends, reactions, read receipts, membership changes) comes back exactly once, in commit
order, numbered in the person's change sequence; live frames go on from there. Real ASGI application, real
services, real channel layer."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from spool.identities.services import follow_account
from spool.messaging import services
from spool.messaging.changes import current_seq, record
from spool.messaging.models import Change
from spool.realtime.groups import account_group
from tests.messaging.test_realtime import frame, frames_until, opened, pair, quiet
from tests.realtime.sockets import db, person, run

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["pair"]  # the fixture, shared with test_realtime


def described(frames: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Frames as (type, what they say) without the numbers."""
    out: list[tuple[Any, ...]] = []
    for f in frames:
        if f["type"].startswith("message."):
            m = f["message"]
            out.append((f["type"], m["text"], m["edited_at"] is not None, m["unsent"], m["reaction_counts"]))
        elif f["type"] == "read":
            out.append(("read", f["account_id"], f["message_id"]))
        else:
            out.append((f["type"], f.get("conversation_id")))
    return out


def test_every_kind_of_change_missed_while_away_is_replayed_once_in_order(pair):
    ana, bob, _, bob_token = pair

    async def scenario():
        first = await db(services.start_conversation)(ana, bob, text="first")
        cid = first.conversation_id
        to_unsend = await db(services.send_message)(ana, cid, text="oops")
        reply = await db(services.send_message)(bob, cid, text="reply")
        live = await opened(bob_token)
        seen = await db(current_seq)(bob.pk)
        await quiet(live)
        await live.disconnect()

        # Away: one of each kind of change.
        await db(services.mark_read)(ana, cid)  # a read receipt: ana read up to bob's reply
        await db(services.send_message)(ana, cid, text="new while away")  # message.new
        await db(services.edit_message)(ana, first.pk, "first, edited")  # message.updated (edit)
        await db(services.react)(ana, first.pk, "😂")  # message.updated (reaction)
        await db(services.unsend_message)(ana, to_unsend.pk)  # message.updated (unsend)
        cy = await db(person)("cy")
        await db(follow_account)(bob, cy)
        await db(follow_account)(cy, bob)
        group = await db(services.create_group)(cy, "Birds", [bob.pk])  # message.new + conversation.changed

        back = await opened(bob_token, since=str(seen))
        caught = await frames_until(back, "caught_up")
        replay = caught[:-1]
        assert [f["seq"] for f in replay] == list(range(seen + 1, seen + 1 + len(replay)))
        assert caught[-1]["seq"] == replay[-1]["seq"] == await db(current_seq)(bob.pk)
        # Messages are shown as they are now (a catch-up replays changes, not past states).
        assert described(replay) == [
            ("read", str(ana.pk), str(reply.pk)),
            ("message.new", "new while away", False, False, {}),
            ("message.updated", "first, edited", True, False, {"😂": 1}),
            ("message.updated", "first, edited", True, False, {"😂": 1}),
            ("message.updated", "", False, True, {}),
            ("message.new", "", False, False, {}),  # the "created the group" line
            ("conversation.changed", str(group.pk)),
        ]
        assert replay[-2]["message"]["kind"] == "system" and replay[-2]["notify"] is False
        assert replay[1]["notify"] is True and replay[1]["message"]["conversation_id"] == str(cid)
        # Live frames go on from the next number.
        await db(services.react)(ana, first.pk, "❤️")
        got = await frame(back)
        assert got["type"] == "message.updated" and got["seq"] == caught[-1]["seq"] + 1
        assert got["message"]["reaction_counts"] == {"❤️": 1}
        await quiet(back)
        await back.disconnect()

    run(scenario)


def test_a_catch_up_asked_again_or_from_the_end_sends_nothing_twice(pair):
    ana, bob, _, bob_token = pair

    async def scenario():
        first = await db(services.start_conversation)(ana, bob, text="one")
        since = await db(current_seq)(bob.pk)
        await db(services.send_message)(ana, first.conversation_id, text="two")
        await db(services.react)(ana, first.pk, "👍")
        back = await opened(bob_token, since=str(since))
        caught = await frames_until(back, "caught_up")
        assert [f["type"] for f in caught] == ["message.new", "message.updated", "caught_up"]
        end = caught[-1]["seq"]
        # From the end: nothing. From the start again, on the same connection: nothing it already sent.
        for again in (end, since):
            await back.send_to(text_data=json.dumps({"type": "catch_up", "since": again}))
            assert await frame(back) == {"type": "caught_up", "seq": end}
        await quiet(back)
        await back.disconnect()
        # A new connection from the same point gets the same changes again (the client asked for them).
        other = await opened(bob_token, since=str(since))
        assert [f.get("seq") for f in await frames_until(other, "caught_up")] == [since + 1, since + 2, end]
        await other.disconnect()

    run(scenario)


def test_a_catch_up_cut_off_half_way_resumes_from_the_last_number_seen(pair):
    ana, bob, _, bob_token = pair

    async def scenario():
        first = await db(services.start_conversation)(ana, bob, text="0")
        since = await db(current_seq)(bob.pk)
        for i in range(1, 7):
            await db(services.send_message)(ana, first.conversation_id, text=str(i))
            await db(services.react)(bob, first.pk, "❤️" if i % 2 else "😮")
        cut = await opened(bob_token, since=str(since))
        got = [await frame(cut) for _ in range(5)]
        await cut.disconnect()  # the rest of the catch-up never arrives
        back = await opened(bob_token, since=str(got[-1]["seq"]))
        rest = await frames_until(back, "caught_up")
        numbers = [f["seq"] for f in got + rest[:-1]]
        assert numbers == list(range(since + 1, since + 13))
        texts = [f["message"]["text"] for f in got + rest[:-1] if f["type"] == "message.new"]
        assert texts == ["1", "2", "3", "4", "5", "6"]
        await back.disconnect()

    run(scenario)


def test_changes_committed_during_a_catch_up_arrive_exactly_once_in_order(pair):
    """Messages and reactions committed while a reconnecting client catches up each arrive once, whether
    through the catch-up or live, and the numbers the client sees are consecutive."""
    ana, bob, _, bob_token = pair

    async def scenario():
        first = await db(services.start_conversation)(ana, bob, text="start")
        cid = first.conversation_id
        since = await db(current_seq)(bob.pk)

        async def burst() -> None:
            for i in range(15):
                await db(services.send_message)(ana, cid, text=f"burst {i}")
                await db(services.react)(ana, first.pk, "😂" if i % 2 else "👍")

        sending = asyncio.ensure_future(burst())
        back = await opened(bob_token, since=str(since))
        await sending
        numbers: list[int] = []
        texts: list[str] = []
        while len(numbers) < 30:
            got = await frame(back)
            if got["type"] == "caught_up":
                continue
            numbers.append(got["seq"])
            if got["type"] == "message.new":
                texts.append(got["message"]["text"])
        await quiet(back)
        assert numbers == list(range(since + 1, since + 31))
        assert texts == [f"burst {i}" for i in range(15)]
        await back.disconnect()

    run(scenario)


def test_a_live_frame_ahead_of_the_last_one_sent_is_filled_in_from_the_log(pair):
    """When a change's live frame overtakes an earlier one, the connection sends the earlier changes from the
    log first, in order, and drops the late frames."""
    ana, bob, _, bob_token = pair

    async def scenario():
        first = await db(services.start_conversation)(ana, bob, text="hello")
        live = await opened(bob_token)
        n = await db(current_seq)(bob.pk)

        def two_receipts() -> None:  # recorded, but their live frames not yet pushed
            with transaction.atomic():
                record(
                    Change.Kind.READ, first.conversation_id, [bob.pk], message_id=first.pk, actor_id=ana.pk
                )
            with transaction.atomic():
                record(
                    Change.Kind.READ, first.conversation_id, [bob.pk], message_id=first.pk, actor_id=bob.pk
                )

        await db(two_receipts)()
        layer = get_channel_layer()

        def pushed(seq: int, reader: int) -> dict[str, Any]:
            return {
                "type": "dm.event",
                "event": "read",
                "conversation_id": str(first.conversation_id),
                "account_id": str(reader),
                "message_id": str(first.pk),
                "seqs": {str(bob.pk): seq},
            }

        await layer.group_send(account_group(bob.pk), pushed(n + 2, bob.pk))  # the later one first
        got = [await frame(live), await frame(live)]
        assert [(f["seq"], f["account_id"]) for f in got] == [(n + 1, str(ana.pk)), (n + 2, str(bob.pk))]
        await layer.group_send(account_group(bob.pk), pushed(n + 1, ana.pk))  # late: already sent
        await quiet(live)
        await live.disconnect()

    run(scenario)


def test_a_number_the_log_no_longer_covers_asks_the_client_to_reload(pair):
    ana, bob, _, bob_token = pair

    async def scenario():
        first = await db(services.start_conversation)(ana, bob, text="old")
        since = await db(current_seq)(bob.pk)
        await db(services.send_message)(ana, first.conversation_id, text="pruned")
        await db(services.send_message)(ana, first.conversation_id, text="kept")
        current = await db(current_seq)(bob.pk)
        # The oldest of the missed changes was pruned.
        await db(
            lambda: Change.objects.filter(account=bob, seq=since + 1).update(
                created_at=timezone.now() - timedelta(days=60)
            )
        )()
        assert await db(services.prune_changes)() >= 1
        for cursor in (since, current + 5):  # pruned, or a number that was never this person's
            back = await opened(bob_token, since=str(cursor))
            assert await frame(back) == {"type": "resync", "seq": current}
            await quiet(back)
            await back.disconnect()
        for bad in ("x", "-1"):
            back = await opened(bob_token, since=bad)
            assert (await frame(back))["code"] == "invalid_cursor"
            await back.disconnect()

    run(scenario)
