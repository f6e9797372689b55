"""Storing an accepted activity: a repeat stores nothing; an id another process made too is replaced."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from spool.core.snowflake import next_id
from spool.federation.inbox import _store_new
from spool.federation.models import InboxItem

pytestmark = pytest.mark.django_db


def _item(item_id: int, activity_id: str) -> InboxItem:
    body = {"id": activity_id, "type": "Like", "actor": "https://a.example/u/x", "object": "https://b/1"}
    return InboxItem(
        id=item_id,
        activity_id=activity_id,
        activity_type="Like",
        actor_uri=body["actor"],
        body=body,
        received_at=timezone.now(),
    )


def test_a_taken_snowflake_id_is_replaced_and_a_repeat_is_not_stored() -> None:
    taken = next_id()
    assert _store_new(_item(taken, "https://a.example/likes/1"))
    # Another server process made the same id in the same millisecond: stored under a new one.
    collided = _item(taken, "https://a.example/likes/2")
    assert _store_new(collided) and collided.id != taken
    assert not _store_new(_item(next_id(), "https://a.example/likes/1"))  # the same activity again
    stored = InboxItem.objects.order_by("id").values_list("activity_id", "body")
    assert [activity for activity, _ in stored] == ["https://a.example/likes/1", "https://a.example/likes/2"]
    assert stored[1][1]["id"] == "https://a.example/likes/2"


def test_a_body_is_stored_as_received_whatever_characters_it_holds() -> None:
    """The values are bound server-side on PostgreSQL (the statement prepared after a few runs): text
    that looks like placeholders or quotes reaches the database as it is, the sixth time as the first."""
    for n in range(7):
        item = _item(next_id(), f"https://a.example/likes/{n}")
        item.body = {**item.body, "content": f"%s %% $1 '{n}' \"quoted\" \\ ü \u2028"}
        text = json.dumps(item.body, ensure_ascii=False)
        assert _store_new(item, text)
    stored = InboxItem.objects.order_by("id").values_list("body", flat=True)
    assert [body["content"] for body in stored] == [
        f"%s %% $1 '{n}' \"quoted\" \\ ü \u2028" for n in range(7)
    ]
