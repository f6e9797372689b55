"""Avatar upload through POST/DELETE /accounts/me/avatar: type by content, size limit, resize, no metadata."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from spool.identities.models import Account
from tests.identities.people import API, Person
from tests.media.samples import decompression_bomb, image_bytes, jpeg_with_exif


def upload(person: Person, data: bytes, name: str = "me.png", content_type: str = "image/png") -> Any:
    return person.client.post(API + "me/avatar", {"avatar": SimpleUploadedFile(name, data, content_type)})


def stored(person: Person) -> str:
    return Account.objects.get(pk=person.id).avatar.name


def stored_image(name: str) -> Image.Image:
    with default_storage.open(name) as fp:
        return Image.open(io.BytesIO(fp.read()))


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif")])
def test_real_images_are_accepted_and_cropped_to_a_square(
    person: Callable[..., Person], settings: Any, fmt: str, ext: str
) -> None:
    ana = person("ana")
    response = upload(ana, image_bytes(fmt, size=(900, 500)), name=f"me.{ext}")
    assert response.status_code == 200, response.content
    name = stored(ana)
    assert name.endswith(f".{ext}")
    assert response.json()["avatar_url"] == settings.MEDIA_URL + name
    image = stored_image(name)
    side = settings.SPOOL.avatar_size
    assert image.size == (side, side)
    assert image.format == fmt


def test_the_stored_avatar_has_no_exif_and_is_upright(person: Callable[..., Person]) -> None:
    ana = person("ana")
    response = upload(ana, jpeg_with_exif(), name="me.jpg", content_type="image/jpeg")
    assert response.status_code == 200
    image = stored_image(stored(ana))
    assert not image.getexif()


def test_text_file_named_png_is_refused(person: Callable[..., Person]) -> None:
    ana = person("ana")
    response = upload(ana, b"I am not an image, only named like one.\n" * 10, name="evil.png")
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("unsupported_image", "avatar")
    assert "JPEG, PNG, WebP or GIF" in body["error"]
    assert stored(ana) == ""


def test_svg_and_bmp_are_refused(person: Callable[..., Person]) -> None:
    ana = person("ana")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert upload(ana, svg, name="a.svg", content_type="image/svg+xml").status_code == 422
    assert upload(ana, image_bytes("BMP"), name="a.bmp").status_code == 422
    assert stored(ana) == ""


def test_oversize_is_refused_with_413_and_the_old_avatar_kept(
    person: Callable[..., Person], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = person("ana")
    assert upload(ana, image_bytes("PNG")).status_code == 200
    before = stored(ana)
    big = image_bytes("PNG", size=(400, 400))
    monkeypatch.setattr(settings.SPOOL, "media_max_upload_bytes", len(big) - 1)
    response = upload(ana, big)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert response.json()["field"] == "avatar"
    assert stored(ana) == before
    assert default_storage.exists(before)
    monkeypatch.setattr(settings.SPOOL, "media_max_upload_bytes", len(big))
    assert upload(ana, big).status_code == 200


def test_decompression_bomb_is_refused(person: Callable[..., Person]) -> None:
    ana = person("ana")
    response = upload(ana, decompression_bomb())
    assert response.status_code == 422
    assert response.json()["code"] == "image_too_large"


def test_missing_file_is_refused(person: Callable[..., Person]) -> None:
    ana = person("ana")
    response = ana.client.post(API + "me/avatar", {})
    assert response.status_code == 422
    assert response.json()["field"] == "avatar"


def test_replacing_and_removing_delete_the_old_files(person: Callable[..., Person], anon: Any) -> None:
    ana = person("ana")
    upload(ana, image_bytes("PNG"))
    first = stored(ana)
    upload(ana, image_bytes("JPEG"), name="b.jpg")
    second = stored(ana)
    assert first != second
    assert not default_storage.exists(first)
    assert default_storage.exists(second)
    response = ana.delete("me/avatar")
    assert response.status_code == 200
    assert response.json()["avatar_url"] is None
    assert stored(ana) == ""
    assert not default_storage.exists(second)
    assert anon.get(API + "ana").json()["avatar_url"] is None


def test_signed_out_visitors_cannot_upload(anon: Any) -> None:
    response = anon.post(API + "me/avatar", {"avatar": SimpleUploadedFile("a.png", image_bytes("PNG"))})
    assert response.status_code == 401
