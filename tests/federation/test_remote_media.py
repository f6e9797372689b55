"""Remote images (attachments, avatars) are stored as references and fetched on first view through the
SSRF-safe fetcher, from a real HTTP server on loopback (the stand-in fediverse): images only, size-capped,
checked from their bytes, cached on disk and served from there, refreshed when stale; every failure is a
placeholder, never a 500; private addresses are refused outside development mode."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from spool.media.models import RemoteImage
from spool.media.remote import REFETCH_AFTER, remember_image
from tests.federation.conftest import deliver_to_inbox
from tests.posts.conftest import png

AUTHOR = "https://remote.example/users/painter"
IMAGE = "https://remote.example/media/painting.png"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def ana(federating: Any) -> Any:
    return federating("ana")


def _create_with_image(ana: Any, author: Any) -> dict[str, Any]:
    note_id = f"{AUTHOR}/statuses/1"
    ana_uri = f"http://testserver/ap/accounts/{ana.id}"
    return {
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": author.uri,
        "to": [PUBLIC],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": author.uri,
            "content": "<p>@ana a new painting</p>",
            "to": [PUBLIC],
            "tag": [{"type": "Mention", "href": ana_uri, "name": "@ana@testserver"}],
            "published": "2026-11-23T10:00:00Z",
            "attachment": [
                {"type": "Document", "mediaType": "image/png", "url": IMAGE, "name": "Blue on blue"},
                {"type": "Document", "mediaType": "video/mp4", "url": f"{IMAGE}.mp4", "name": "a video"},
            ],
        },
    }


def _placeholder(response: Any) -> bool:
    return (
        response.status_code == 200
        and response["Content-Type"] == "image/svg+xml"
        and response["X-Spool-Media"] == "unavailable"
    )


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_attachment_is_fetched_on_first_view_then_served_from_the_cache(
    anon: Any, ana: Any, fediverse: Any
) -> None:
    image = png(12, 9)
    fediverse.serve_bytes(IMAGE, image, "image/png")
    author = fediverse.actor(AUTHOR)
    assert deliver_to_inbox(anon, author, _create_with_image(ana, author)).status_code == 202
    assert fediverse.gets_of(IMAGE) == 0  # receiving the post fetched nothing
    [ref] = RemoteImage.objects.filter(kind="attachment")  # the video is not an image we show
    # Cards show our copy's address and link to the original.
    [card] = [p for p in ana.get("feeds/whats-new").json()["items"] if p["text"].endswith("a new painting")]
    [media] = card["media"]
    assert media["url"] == f"/media/remote/{ref.id}" and media["alt_text"] == "Blue on blue"

    first = anon.get(f"/media/remote/{ref.id}")
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert _body(first) == image and fediverse.gets_of(IMAGE) == 1
    second = anon.get(f"/media/remote/{ref.id}")
    assert _body(second) == image and fediverse.gets_of(IMAGE) == 1  # from our disk
    ref.refresh_from_db()
    assert (ref.width, ref.height, ref.size) == (12, 9, len(image))


def test_the_web_page_links_the_original(anon: Any, ana: Any, fediverse: Any) -> None:
    fediverse.serve_bytes(IMAGE, png(), "image/png")
    author = fediverse.actor(AUTHOR)
    deliver_to_inbox(anon, author, _create_with_image(ana, author))
    ref = RemoteImage.objects.get(kind="attachment")
    page = ana.client.get("/").content.decode() + ana.client.get("/new").content.decode()
    assert f'src="/media/remote/{ref.id}"' in page and f'href="{IMAGE}"' in page


@pytest.mark.parametrize(
    ("body", "content_type", "status", "why"),
    [
        (png(), "image/png", 404, "gone on the other server"),
        (b"<html>hi</html>", "text/html", 200, "not an image type"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", 200, "svg is not allowed"),
        (b"<html>hi</html>", "image/png", 200, "claims png, is not"),
        (png(400, 400), "image/png", 200, "over the size cap"),
    ],
)
def test_failures_show_a_placeholder_never_an_error(
    anon: Any, fediverse: Any, spool_config: Any, body: bytes, content_type: str, status: int, why: str
) -> None:
    spool_config.federation_remote_media_max_bytes = 1024
    assert len(png()) < 1024 < len(png(400, 400)) or why != "over the size cap"
    fediverse.serve_bytes(IMAGE, body, content_type, status)
    ref = remember_image(IMAGE, "attachment")
    assert ref is not None
    response = anon.get(f"/media/remote/{ref.id}")
    assert _placeholder(response), why
    ref.refresh_from_db()
    assert ref.failed_at is not None and not ref.file
    # Not retried at once: a second view does not hit the other server again.
    anon.get(f"/media/remote/{ref.id}")
    assert fediverse.gets_of(IMAGE) <= 1


def test_an_unknown_image_is_a_placeholder(anon: Any) -> None:
    assert _placeholder(anon.get("/media/remote/12345"))


def test_private_addresses_are_refused(anon: Any, fediverse: Any, spool_config: Any) -> None:
    """Outside development mode, neither a loopback literal nor a name that resolves to loopback (the
    stand-in's names all do) is fetched: the server never sees a request."""
    spool_config.federation_dev_mode = False
    spool_config.fetch_allow_private = False
    literal = f"http://127.0.0.1:{fediverse.port}/media/secret.png"
    fediverse.serve_bytes(literal, png(), "image/png")
    fediverse.serve_bytes(IMAGE, png(), "image/png")
    for url in (literal, IMAGE):
        ref = remember_image(url, "attachment")
        assert ref is not None
        assert _placeholder(anon.get(f"/media/remote/{ref.id}"))
        ref.refresh_from_db()
        assert ref.error.startswith("blocked_address")
    assert fediverse.fetched == []


def test_only_http_urls_and_image_types_are_remembered(db: None) -> None:
    assert remember_image("file:///etc/passwd", "attachment") is None
    assert remember_image("javascript:alert(1)", "avatar") is None
    assert remember_image(IMAGE, "attachment", declared_type="text/html") is None
    assert not RemoteImage.objects.exists()


def test_a_stale_copy_is_refetched_and_a_failed_refresh_keeps_the_old_one(anon: Any, fediverse: Any) -> None:
    old, new = png(colour=(1, 2, 3)), png(colour=(9, 9, 9))
    fediverse.serve_bytes(IMAGE, old, "image/png")
    ref = remember_image(IMAGE, "attachment")
    assert ref is not None
    assert _body(anon.get(f"/media/remote/{ref.id}")) == old
    stale = timezone.now() - REFETCH_AFTER - timedelta(minutes=1)
    RemoteImage.objects.filter(id=ref.id).update(fetched_at=stale)
    fediverse.serve_bytes(IMAGE, new, "image/png")
    assert _body(anon.get(f"/media/remote/{ref.id}")) == new and fediverse.gets_of(IMAGE) == 2
    RemoteImage.objects.filter(id=ref.id).update(fetched_at=stale)
    fediverse.serve_bytes(IMAGE, b"", "image/png", 500)
    response = anon.get(f"/media/remote/{ref.id}")
    assert response["Content-Type"] == "image/png" and _body(response) == new


def test_a_remote_avatar_is_shown_through_the_lazy_copy(anon: Any, ana: Any, fediverse: Any) -> None:
    avatar = png(16, 16, (0, 200, 0))
    avatar_url = "https://remote.example/media/avatar.png"
    fediverse.serve_bytes(avatar_url, avatar, "image/png")
    author = fediverse.actor(AUTHOR)
    document = {**author.document(), "icon": {"type": "Image", "mediaType": "image/png", "url": avatar_url}}
    fediverse.serve_json(AUTHOR, document)
    deliver_to_inbox(anon, author, _create_with_image(ana, author))
    ref = RemoteImage.objects.get(kind="avatar")
    [card] = [p for p in ana.get("feeds/whats-new").json()["items"] if p["text"].endswith("a new painting")]
    assert card["author"]["avatar_url"] == f"/media/remote/{ref.id}"
    assert fediverse.gets_of(avatar_url) == 0
    assert _body(anon.get(card["author"]["avatar_url"])) == avatar
