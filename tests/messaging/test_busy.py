"""A database too busy to take a message answers 503 with ``Retry-After`` and writes nothing; the client
sends again (with the same ``Idempotency-Key``) and the message is stored once. The lock is real: another
database connection holds it (SQLite: the write lock; PostgreSQL: the row lock, with a short lock
timeout), over real HTTP through the test client."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from spool.messaging.models import Membership, Message

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_held_by_someone_else(conversation_id: str, account_id: int) -> Iterator[None]:
    """Another connection holds what sending to the conversation needs, until the block ends."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(settings["NAME"], uri=True, isolation_level=None, timeout=0.1)
        other.execute("BEGIN IMMEDIATE")
        with connection.cursor() as cursor:  # the server's connection gives up after 100 ms
            cursor.execute("PRAGMA busy_timeout = 100")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 20000")
        return
    import psycopg

    other_pg = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    other_pg.execute(
        "SELECT 1 FROM messaging_membership WHERE conversation_id = %s AND account_id = %s FOR UPDATE",
        (int(conversation_id), account_id),
    )
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '100ms'")
    try:
        yield
    finally:
        other_pg.rollback()
        other_pg.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def test_a_send_that_finds_the_database_busy_gets_503_and_is_stored_once_when_retried(friends):
    ana, bob = friends
    cid = ana.start(bob, "first")["conversation"]["id"]
    before = Message.objects.count()
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-me-1"}
    body = '{"text": "sent while busy"}'
    path = f"/api/spool/v1/messaging/conversations/{cid}/messages"
    with database_held_by_someone_else(cid, ana.id):
        response = ana.client.post(path, body, content_type="application/json", **key)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "busy" and "try again" in response.json()["error"]
    assert Message.objects.count() == before  # nothing written
    # The client sends again with the same key: stored once, and a further retry gets the same answer.
    first = ana.client.post(path, body, content_type="application/json", **key)
    again = ana.client.post(path, body, content_type="application/json", **key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Message.objects.filter(text="sent while busy").count() == 1
    assert [t for t in bob.texts(cid) if t == "sent while busy"] == ["sent while busy"]


def test_without_a_key_each_send_is_a_new_message(friends):
    ana, bob = friends
    cid = ana.start(bob, "first")["conversation"]["id"]
    ana.say(cid, "twice")
    ana.say(cid, "twice")
    assert bob.texts(cid).count("twice") == 2


def test_the_page_says_busy_in_words(friends):
    ana, bob = friends
    cid = ana.start(bob, "first")["conversation"]["id"]
    before = Membership.objects.get(conversation_id=cid, account_id=ana.id).last_read_message_id
    with database_held_by_someone_else(cid, ana.id):
        page = ana.client.post(f"/messages/{cid}/send", {"text": "from the page"})
        fragment = ana.client.post(f"/messages/{cid}/send", {"text": "from the page"}, HTTP_HX_REQUEST="true")
    assert page.status_code == fragment.status_code == 503
    assert page["Retry-After"] == "1" and b"try again" in page.content and b"<h1>Busy</h1>" in page.content
    assert fragment["Content-Type"].startswith("text/plain") and b"nothing was saved" in fragment.content
    assert not Message.objects.filter(text="from the page").exists()
    assert Membership.objects.get(conversation_id=cid, account_id=ana.id).last_read_message_id == before
