"""Editing within 15 minutes (history kept, "Edited" mark, everything re-checked) and deleting (author
only, counters exact)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from spool.core.events import _in_transaction, subscribe
from spool.posts.events import PostEdited
from spool.posts.models import Post, PostEdit, Topic
from tests.posts.conftest import Person
from tests.posts.test_compose import refused

pytestmark = pytest.mark.django_db


def age(post: dict[str, Any], minutes: float) -> None:
    """Move the post's creation back in time, as if it was written ``minutes`` ago."""
    Post.objects.filter(id=post["id"]).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_an_edit_keeps_the_previous_version_and_marks_the_post(ana: Person, bob: Person) -> None:
    post = ana.write("First version", topic="Drafts", spoilers=[[0, 5]])
    response = ana.send("patch", post["id"], {"text": "Second version", "spoilers": [], "topic": "Final"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["text"] == "Second version" and body["edited"] is True and body["edited_at"]
    assert body["topic"]["display"] == "Final" and body["spoilers"] == []
    ana.send("patch", post["id"], {"text": "Third version"})
    edits = bob.get(f"{post['id']}/edits").json()
    assert [e["text"] for e in edits] == ["Second version", "First version"]
    assert edits[1]["topic"] == "Drafts" and edits[1]["spoilers"] == [[0, 5]]
    assert bob.view(post)["text"] == "Third version"
    assert Topic.objects.get(name="drafts").posts_count == 0
    assert Topic.objects.get(name="final").posts_count == 1


def test_an_edit_that_changes_nothing_is_not_recorded(ana: Person) -> None:
    post = ana.write("Same")
    assert ana.send("patch", post["id"], {"text": "Same"}).json()["edited"] is False
    assert PostEdit.objects.count() == 0


def test_edits_are_allowed_for_15_minutes(ana: Person) -> None:
    post = ana.write("Typo hree")
    age(post, 14.9)
    assert ana.send("patch", post["id"], {"text": "Typo here"}).status_code == 200
    age(post, 15.1)
    refused(ana.send("patch", post["id"], {"text": "Too late"}), 403, "edit_window_closed")
    assert ana.view(post)["text"] == "Typo here"


def test_edits_are_checked_like_new_posts(ana: Person) -> None:
    post = ana.write("Fine")
    refused(ana.send("patch", post["id"], {"text": "a" * 501}), 422, "text_too_long", "text")
    refused(ana.send("patch", post["id"], {"text": ""}), 422, "empty_post", "text")
    links = " ".join(f"https://l{i}.example" for i in range(6))
    refused(ana.send("patch", post["id"], {"text": links}), 422, "too_many_links", "text")
    refused(
        ana.send("patch", post["id"], {"text": "x", "topic": "a.b"}), 422, "topic_invalid_characters", "topic"
    )
    refused(ana.send("patch", post["id"], {"spoilers": [[0, 9]]}), 422, "range_outside_text", "spoilers")
    refused(
        ana.send("patch", post["id"], {"attachment_text": "y" * 10_001}),
        422,
        "attachment_too_long",
        "attachment_text",
    )
    poll = ana.write("Pick", poll_options=["a", "b"])
    refused(ana.send("patch", poll["id"], {"attachment_text": "more"}), 422, "poll_with_attachment")
    assert ana.view(post)["text"] == "Fine" and PostEdit.objects.count() == 0


def test_only_the_author_edits(ana: Person, bob: Person) -> None:
    post = ana.write("Mine")
    refused(bob.send("patch", post["id"], {"text": "Yours"}), 403, "not_author")
    refused(bob.send("patch", "12345", {"text": "Yours"}), 404, "not_found")


def test_mentions_added_by_an_edit_are_published(ana: Person, bob: Person, cy: Person) -> None:
    seen: list[PostEdited] = []
    subscribe(PostEdited, seen.append)
    try:
        post = ana.write("Hello @bob")
        ana.send("patch", post["id"], {"text": "Hello @bob and @cy"})
    finally:
        _in_transaction[PostEdited].remove(seen.append)
    assert [e.new_mentioned_ids for e in seen] == [(cy.id,)]


def test_deleting_keeps_every_counter_exact(ana: Person, bob: Person) -> None:
    root = ana.write("Root", topic="Counting")
    quote = bob.write("Quote", quote_of_id=root["id"], topic="Counting")
    reply = bob.reply(root, "Reply")
    bob.act(root, "like")
    assert ana.view(root)["replies_count"] == 1 and ana.view(root)["quotes_count"] == 1
    assert Topic.objects.get(name="counting").posts_count == 2
    assert bob.account.posts_count == 2
    assert bob.send("delete", quote["id"]).status_code == 204
    assert bob.send("delete", reply["id"]).status_code == 204
    assert ana.view(root)["quotes_count"] == 0 and ana.view(root)["replies_count"] == 0
    assert Topic.objects.get(name="counting").posts_count == 1
    assert bob.account.posts_count == 0
    assert ana.send("delete", root["id"]).status_code == 204
    assert ana.account.posts_count == 0 and Topic.objects.get(name="counting").posts_count == 0


def test_only_the_author_deletes(ana: Person, bob: Person) -> None:
    post = ana.write("Mine")
    refused(bob.send("delete", post["id"]), 403, "not_author")
    refused(bob.send("delete", "999"), 404, "not_found")
    assert ana.see(post).status_code == 200


def test_replies_outlive_a_deleted_parent_as_replies(ana: Person, bob: Person) -> None:
    root = ana.write("Root")
    reply = bob.reply(root, "Reply")
    ana.send("delete", root["id"])
    body = bob.view(reply)
    assert body["is_reply"] is True and body["reply_to_id"] is None
    threads = bob.get("feeds/profile/bob", tab="threads").json()["items"]
    replies = bob.get("feeds/profile/bob", tab="replies").json()["items"]
    assert threads == [] and [p["id"] for p in replies] == [reply["id"]]
