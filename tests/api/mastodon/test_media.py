"""``/api/v1/media`` and ``/api/v2/media``: uploading images with alt text and a focal point, reading and
updating one's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from spool.posts.models import Media
from tests.api.mastodon.helpers import png
from tests.api.mastodon.shapes import assert_shape


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_upload_read_and_update(mastodon: Any, version: str) -> None:
    ana = mastodon("ana")
    response = ana.client.post(
        f"/api/{version}/media", {"file": png(30, 20), "description": "a yellow box", "focus": "0.5,-0.25"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert_shape("MediaAttachment", data)
    assert data["description"] == "a yellow box"
    assert data["meta"]["original"] == {"width": 30, "height": 20, "size": "30x20", "aspect": 1.5}
    assert data["meta"]["focus"] == {"x": 0.5, "y": -0.25}

    assert ana.get(f"/api/v1/media/{data['id']}").json()["id"] == data["id"]
    updated = ana.form("put", f"/api/v1/media/{data['id']}", {"description": "a mustard box"})
    assert updated.status_code == 200
    assert updated.json()["description"] == "a mustard box"
    assert updated.json()["meta"]["focus"] == {"x": 0.5, "y": -0.25}  # left alone
    refocused = ana.put(f"/api/v1/media/{data['id']}", {"focus": "0,0"})
    assert refocused.json()["meta"]["focus"] == {"x": 0.0, "y": 0.0}
    assert refocused.json()["description"] == "a mustard box"


def test_refusals_write_nothing(mastodon: Any) -> None:
    ana, bo = mastodon("ana"), mastodon("bo")
    bogus = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    assert ana.client.post("/api/v2/media", {"file": bogus}).status_code == 422
    assert ana.client.post("/api/v2/media", {"description": "no file"}).status_code == 422
    assert ana.client.post("/api/v2/media", {"file": png(30, 20), "focus": "2,0"}).status_code == 422
    assert (
        ana.client.post("/api/v2/media", {"file": png(30, 20), "description": "x" * 1001}).status_code == 422
    )
    assert (
        mastodon("ana", scopes="write:statuses")
        .client.post("/api/v2/media", {"file": png(30, 20)})
        .status_code
        == 403
    )
    assert not Media.objects.exists()

    media_id = ana.client.post("/api/v2/media", {"file": png(30, 20), "description": "mine"}).json()["id"]
    assert bo.get(f"/api/v1/media/{media_id}").status_code == 404
    assert bo.put(f"/api/v1/media/{media_id}", {"description": "theirs now"}).status_code == 404
    assert ana.put(f"/api/v1/media/{media_id}", {"focus": "left"}).status_code == 422
    assert ana.get("/api/v1/media/nope").status_code == 404
    assert Media.objects.get().alt_text == "mine"
