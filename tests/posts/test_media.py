"""Images: uploaded first (content-checked by ``spool.media.images``), then attached to one post by their
owner; 1-20 per post, alt text up to 1,000 characters."""

from __future__ import annotations

from typing import Any

import pytest

from spool.posts.models import Media, Post
from tests.posts.conftest import Person, png
from tests.posts.test_compose import refused

pytestmark = pytest.mark.django_db


def test_an_uploaded_image_is_stored_unattached_with_its_alt_text(ana: Person) -> None:
    response = ana.upload(png(30, 20), alt_text="A red square")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["width"] == 30 and body["height"] == 20
    assert body["alt_text"] == "A red square" and body["content_type"] == "image/png"
    assert body["url"].startswith("/media/")
    assert Media.objects.get(id=body["id"]).post is None


def test_twenty_images_are_accepted_and_twenty_one_refused(ana: Person) -> None:
    ids = [ana.media_id() for _ in range(21)]
    refused(ana.try_post("too many", media_ids=ids), 422, "too_many_media", "media_ids")
    assert Post.objects.count() == 0
    post = ana.write("twenty", media_ids=ids[:20], media_spoiler=True)
    assert [m["id"] for m in post["media"]] == ids[:20]
    assert post["media_spoiler"] is True
    assert Media.objects.filter(post__isnull=True).count() == 1


def test_an_image_alone_is_a_post(ana: Person) -> None:
    post = ana.write("", media_ids=[ana.media_id("alt")])
    assert post["media"][0]["alt_text"] == "alt"


def test_alt_text_of_1000_is_accepted_and_1001_refused(ana: Person) -> None:
    assert ana.upload(alt_text="a" * 1000).status_code == 201
    refused(ana.upload(alt_text="a" * 1001), 422, "alt_text_too_long", "alt_text")
    media_id = ana.media_id()
    refused(
        ana.send("patch", f"media/{media_id}", {"alt_text": "b" * 1001}), 422, "alt_text_too_long", "alt_text"
    )
    response = ana.send("patch", f"media/{media_id}", {"alt_text": "b" * 1000})
    assert response.status_code == 200 and response.json()["alt_text"] == "b" * 1000


def test_only_your_own_unattached_images_can_be_attached(ana: Person, bob: Person) -> None:
    bobs = bob.media_id()
    refused(ana.try_post("stolen", media_ids=[bobs]), 422, "invalid_media", "media_ids")
    refused(ana.try_post("missing", media_ids=[123456789]), 422, "invalid_media", "media_ids")
    mine = ana.media_id()
    ana.write("first", media_ids=[mine])
    refused(ana.try_post("again", media_ids=[mine]), 422, "invalid_media", "media_ids")
    assert Post.objects.count() == 1


def test_others_cannot_change_your_alt_text(ana: Person, bob: Person) -> None:
    media_id = ana.media_id("mine")
    refused(bob.send("patch", f"media/{media_id}", {"alt_text": "hacked"}), 404, "not_found")
    assert Media.objects.get(id=media_id).alt_text == "mine"


def test_files_that_are_not_images_are_refused(ana: Person) -> None:
    refused(ana.upload(b"<html>not an image</html>", name="x.png"), 422, "unsupported_image", "file")
    assert ana.client.post("/api/spool/v1/posts/media", {"alt_text": "no file"}).status_code == 422
    assert Media.objects.count() == 0


def test_a_poll_does_not_go_with_images(ana: Person) -> None:
    refused(ana.try_post("pick", media_ids=[ana.media_id()], poll_options=["a", "b"]), 422, "poll_with_media")


def test_deleting_a_post_deletes_its_images(ana: Person) -> None:
    post = ana.write("pic", media_ids=[ana.media_id()])
    assert ana.send("delete", post["id"]).status_code == 204
    assert Media.objects.count() == 0


# --- Orphaned uploads -------------------------------------------------------------------------------


def _age(media_id: str, hours: float) -> None:
    from datetime import timedelta

    from django.utils import timezone

    Media.objects.filter(id=media_id).update(created_at=timezone.now() - timedelta(hours=hours))


def test_uploads_never_attached_within_24_hours_are_deleted_with_their_files(
    ana: Person, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import default_storage

    from spool.posts import tasks

    orphan, young, used = ana.media_id(), ana.media_id(), ana.media_id()
    post = ana.write("with an image", media_ids=[used])
    files = {m.id: m.file.name for m in Media.objects.all()}
    _age(orphan, 24 + 1 / 60)
    _age(young, 24 - 1 / 60)
    _age(used, 48)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.delete_orphaned_media.apply().get() == 1

    assert set(Media.objects.values_list("id", flat=True)) == {int(young), int(used)}
    assert not default_storage.exists(files[int(orphan)])
    assert default_storage.exists(files[int(young)]) and default_storage.exists(files[int(used)])
    assert [m["id"] for m in ana.view(post)["media"]] == [used]
    refused(ana.try_post("too late", media_ids=[orphan]), 422, "invalid_media", "media_ids")
    assert ana.write("in time", media_ids=[young])["media"][0]["id"] == young
    assert tasks.delete_orphaned_media.apply().get() == 0


def test_orphaned_uploads_are_deleted_in_batches_until_none_is_left(ana: Person) -> None:
    from spool.posts.services import delete_orphaned_media

    ids = [ana.media_id() for _ in range(5)]
    for media_id in ids:
        _age(media_id, 25)
    assert delete_orphaned_media(batch=2) == 5
    assert not Media.objects.exists()


def test_deleting_orphaned_uploads_is_scheduled_hourly() -> None:
    from django.conf import settings

    from spool.celery import app

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("orphaned_media")]
    assert entries == [{"task": "spool.posts.tasks.delete_orphaned_media", "schedule": 3600.0}]
    assert "spool.posts.tasks.delete_orphaned_media" in app.tasks
