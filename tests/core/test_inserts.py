"""One new row written by :func:`spool.core.inserts.insert`: the values ``objects.create`` would store, an
``auto_now_add`` time set beforehand kept, a conflict a no-op when asked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from spool.core.inserts import insert
from spool.identities.models import Account
from spool.identities.services import register_account
from spool.notifications.models import Kind, Notification
from spool.posts.models import Like, Post, Topic
from spool.posts.services.compose import create_post
from tests.people import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> tuple[Account, Account]:
    return tuple(  # type: ignore[return-value]
        register_account(email=f"{handle}@example.com", password=PASSWORD, handle=handle)
        for handle in ("ines", "oskar")
    )


def test_the_row_holds_what_create_would_store(people: tuple[Account, Account]) -> None:
    author, _ = people
    topic = Topic.objects.create(name="kites", display="Kites")
    before = timezone.now()
    post = Post(author=author, text="Flying kites", topic=topic, spoilers=[[0, 6]], media_spoiler=True)
    insert(post)
    assert not post._state.adding
    stored = Post.objects.get(id=post.id)
    assert (stored.author_id, stored.text, stored.topic_id) == (author.id, "Flying kites", topic.id)
    assert (stored.spoilers, stored.media_spoiler, stored.links) == ([[0, 6]], True, [])
    assert not stored.is_reply
    assert before <= stored.created_at == post.created_at <= timezone.now()  # set now, as auto_now_add does


def test_a_time_set_beforehand_is_kept_and_an_enum_is_stored_by_its_value(
    people: tuple[Account, Account],
) -> None:
    author, other = people
    written = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    post = Post(author=author, text="From elsewhere", created_at=written)
    insert(post)
    assert Post.objects.get(id=post.id).created_at == written
    insert(Notification(recipient_id=author.id, actor_id=other.id, kind=Kind.REPLY, post_id=post.id))
    assert Notification.objects.filter(recipient=author, kind="reply").count() == 1


def test_a_conflict_is_a_no_op_when_asked_and_an_error_otherwise(people: tuple[Account, Account]) -> None:
    author, other = people
    post = create_post(author, text="Like me")
    assert insert(Like(account=other, post=post), ignore_conflicts=True)
    assert not insert(Like(account=other, post=post), ignore_conflicts=True)
    assert Like.objects.filter(account=other, post=post).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(Like(account=other, post=post))
