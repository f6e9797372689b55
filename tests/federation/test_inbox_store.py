"""Storing an accepted activity: a repeat stores nothing; an id another process made too is replaced."""

from __future__ import annotations

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
