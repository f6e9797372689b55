"""The inbox: folders (Primary, Requests, Hidden, Archived), unread counts and filter, cursor pagination,
mute, mark read, delete for oneself, and a fixed number of queries per page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_unread_counts_and_mark_read(friends):
    ana, bob = friends
    cid = ana.start(bob, "one")["conversation"]["id"]
    ana.say(cid, "two")
    assert bob.unread_counts()["primary"] == 1
    assert bob.inbox()[0]["unread_count"] == 2
    assert ana.inbox()[0]["unread_count"] == 0  # her own messages are read
    first = bob.messages(cid)[-1]
    bob.ok("post", f"conversations/{cid}/read", {"message_id": first["id"]})
    assert bob.inbox()[0]["unread_count"] == 1
    bob.ok("post", f"conversations/{cid}/read")
    assert bob.inbox()[0]["unread_count"] == 0 and bob.unread_counts()["primary"] == 0
    # Read receipts: Ana sees how far Bob read.
    assert ana.inbox()[0]["read_positions"] == {str(bob.id): bob.messages(cid)[0]["id"]}


def test_read_position_never_moves_back_and_rejects_foreign_ids(friends):
    ana, bob = friends
    cid = ana.start(bob, "one")["conversation"]["id"]
    bob.ok("post", f"conversations/{cid}/read")
    first = bob.messages(cid)[0]["id"]
    ana.say(cid, "two")
    bob.ok("post", f"conversations/{cid}/read", {"message_id": first})
    assert bob.inbox()[0]["unread_count"] == 1
    assert bob.call("post", f"conversations/{cid}/read", {"message_id": "123"}).status_code == 422


def test_unread_filter(friends, cy):
    ana, bob = friends
    bob.follow(cy)
    read = ana.start(bob, "read me")["conversation"]["id"]
    unread = cy.start(bob, "unread")["conversation"]["id"]
    bob.ok("post", f"conversations/{read}/read")
    assert [c["id"] for c in bob.inbox(unread="true")] == [unread]
    assert len(bob.inbox()) == 2
    assert bob.call("get", "conversations", {"unread": "maybe"}).status_code == 422


def test_archive_and_a_new_message_brings_it_back(friends):
    ana, bob = friends
    cid = ana.start(bob)["conversation"]["id"]
    bob.ok("post", f"conversations/{cid}/archive")
    assert bob.inbox() == [] and [c["id"] for c in bob.inbox("archived")] == [cid]
    ana.say(cid, "ping")
    assert [c["id"] for c in bob.inbox()] == [cid]
    bob.ok("post", f"conversations/{cid}/archive")
    bob.ok("post", f"conversations/{cid}/unarchive")
    assert [c["id"] for c in bob.inbox()] == [cid]


def test_mute(friends):
    ana, bob = friends
    cid = ana.start(bob)["conversation"]["id"]
    assert bob.ok("post", f"conversations/{cid}/mute")["muted"] is True
    assert ana.ok("get", f"conversations/{cid}")["muted"] is False
    assert bob.ok("post", f"conversations/{cid}/unmute")["muted"] is False


def test_bad_folder_is_refused(ana):
    assert ana.call("get", "conversations", {"folder": "spam"}).status_code == 422
    assert ana.call("get", "conversations", {"cursor": "x"}).status_code == 422


def test_delete_conversation_for_me(friends):
    ana, bob = friends
    cid = ana.start(bob, "old")["conversation"]["id"]
    assert bob.call("delete", f"conversations/{cid}").status_code == 204
    assert bob.inbox() == [] and ana.texts(cid) == ["old"]
    ana.say(cid, "new")
    assert bob.texts(cid) == ["new"]


def test_inbox_pages_by_cursor_most_recent_first(person, ana):
    others = [person(f"p{i}") for i in range(5)]
    ids = []
    for other in others:
        other.follow(ana)
        ids.append(ana.start(other)["conversation"]["id"])
    first = ana.ok("get", "conversations", {"limit": 2})
    second = ana.ok("get", "conversations", {"limit": 2, "cursor": first["next_cursor"]})
    third = ana.ok("get", "conversations", {"limit": 2, "cursor": second["next_cursor"]})
    got = [c["id"] for page in (first, second, third) for c in page["items"]]
    assert got == list(reversed(ids)) and third["next_cursor"] is None


def test_messages_page_by_cursor_both_ways(friends):
    ana, bob = friends
    cid = ana.start(bob, "m0")["conversation"]["id"]
    for i in range(1, 5):
        ana.say(cid, f"m{i}")
    page = bob.ok("get", f"conversations/{cid}/messages", {"limit": 3})
    assert [m["text"] for m in page["items"]] == ["m4", "m3", "m2"]
    older = bob.ok("get", f"conversations/{cid}/messages", {"limit": 3, "before": page["next_cursor"]})
    assert [m["text"] for m in older["items"]] == ["m1", "m0"] and older["next_cursor"] is None
    newer = bob.ok("get", f"conversations/{cid}/messages", {"after": older["items"][1]["id"]})
    assert [m["text"] for m in newer["items"]] == ["m1", "m2", "m3", "m4"]


def _queries(person, path, params):
    with CaptureQueriesContext(connection) as ctx:
        response = person.call("get", path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pages_cost_a_fixed_number_of_queries(person, ana):
    def grow(n):
        for _i in range(n):
            other = person(f"q{len(grown)}")
            grown.append(other)
            other.follow(ana)
            cid = ana.start(other, "hi")["conversation"]["id"]
            msg = other.say(cid, "hey https://example.com")
            ana.ok("put", f"messages/{msg['id']}/reaction", {"emoji": "👍"})
            chats.append(cid)

    grown: list = []
    chats: list = []
    grow(2)
    small_inbox = _queries(ana, "conversations", {"limit": 40})
    small_messages = _queries(ana, f"conversations/{chats[0]}/messages", {"limit": 40})
    for _ in range(6):
        ana.say(chats[0], "more")
    grow(4)
    assert _queries(ana, "conversations", {"limit": 40}) == small_inbox
    assert _queries(ana, f"conversations/{chats[0]}/messages", {"limit": 40}) == small_messages
