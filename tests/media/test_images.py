"""Image validation and processing (spool.media.images), on real files made with Pillow."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from spool.core.errors import ValidationError
from spool.media.images import FileTooLarge, process_avatar, process_post_image
from tests.media.samples import animated_gif, decompression_bomb, image_bytes, jpeg_with_exif


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(result: Any) -> Image.Image:
    result.file.seek(0)
    return Image.open(io.BytesIO(result.file.read()))


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp"),
     ("GIF", "image/gif", "gif")],
)  # fmt: skip
def test_each_supported_format_is_accepted_and_keeps_its_format(
    fmt: str, content_type: str, extension: str
) -> None:
    result = process_post_image(upload(image_bytes(fmt), name="whatever.bin"))
    assert result.content_type == content_type
    assert result.extension == extension
    assert (result.width, result.height) == (64, 48)
    assert opened(result).format == fmt


def test_type_comes_from_content_not_name() -> None:
    # A JPEG named .png is a JPEG.
    result = process_post_image(upload(image_bytes("JPEG"), name="not-really.png", content_type="image/png"))
    assert result.content_type == "image/jpeg"


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is a text file pretending to be a PNG",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        image_bytes("BMP"),
        image_bytes("TIFF"),
    ],
    ids=["text", "pdf", "svg", "bmp", "tiff"],
)
def test_other_content_is_refused(data: bytes) -> None:
    with pytest.raises(ValidationError) as info:
        process_post_image(upload(data))
    assert info.value.code == "unsupported_image"
    assert info.value.status == 422


def test_truncated_image_is_refused() -> None:
    # Make the pixels noisy so the compressed data is long enough to cut.
    noisy = Image.effect_noise((300, 300), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    data = buffer.getvalue()
    with pytest.raises(ValidationError) as info:
        process_post_image(upload(data[: len(data) // 2]))
    assert info.value.code == "unsupported_image"


def test_empty_and_missing_uploads_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        process_post_image(upload(b""))
    assert info.value.code == "file_empty"
    with pytest.raises(ValidationError) as info:
        process_post_image(None)
    assert info.value.code == "file_missing"


def test_size_limit_at_the_edge(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    data = image_bytes("PNG")
    monkeypatch.setattr(settings.SPOOL, "media_max_upload_bytes", len(data))
    assert process_post_image(upload(data)).width == 64
    monkeypatch.setattr(settings.SPOOL, "media_max_upload_bytes", len(data) - 1)
    with pytest.raises(FileTooLarge) as info:
        process_post_image(upload(data))
    assert info.value.status == 413
    assert info.value.code == "file_too_large"
    # Raw bytes are measured too, not only the declared size of an upload.
    with pytest.raises(FileTooLarge):
        process_post_image(data)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = decompression_bomb()
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as info:
        process_post_image(upload(bomb))
    assert info.value.code == "image_too_large"


def test_exif_is_stripped_and_orientation_applied() -> None:
    source = jpeg_with_exif(size=(200, 100), orientation=6)
    with Image.open(io.BytesIO(source)) as original:
        assert original.getexif()[0x0112] == 6
    result = process_post_image(upload(source, name="p.jpg"))
    # Orientation 6 means the camera was turned: the stored image is upright, so taller than wide.
    assert (result.width, result.height) == (100, 200)
    image = opened(result)
    assert image.size == (100, 200)
    assert not image.getexif()
    assert "exif" not in image.info


def test_post_image_is_shrunk_to_max_side_but_never_enlarged(settings: Any) -> None:
    max_side = settings.SPOOL.image_max_side
    big = process_post_image(upload(image_bytes("JPEG", size=(max_side + 952, 1000))))
    assert big.width == max_side
    assert big.height == round(1000 * max_side / (max_side + 952))
    assert opened(big).size == (big.width, big.height)
    exact = process_post_image(upload(image_bytes("PNG", size=(max_side, 10))))
    assert (exact.width, exact.height) == (max_side, 10)
    small = process_post_image(upload(image_bytes("PNG", size=(30, 20))))
    assert (small.width, small.height) == (30, 20)


@pytest.mark.parametrize("size", [(600, 300), (300, 600), (50, 50), (1000, 1000)])
def test_avatar_is_a_centred_square_of_the_configured_size(settings: Any, size: tuple[int, int]) -> None:
    side = settings.SPOOL.avatar_size
    result = process_avatar(upload(image_bytes("JPEG", size=size)))
    assert (result.width, result.height) == (side, side)
    assert opened(result).size == (side, side)


def test_transparency_survives_in_png() -> None:
    result = process_post_image(upload(image_bytes("PNG", mode="RGBA")))
    image = opened(result)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 100


def test_cmyk_jpeg_is_converted() -> None:
    result = process_avatar(upload(image_bytes("JPEG", mode="CMYK")))
    assert opened(result).mode in ("RGB", "L")


def test_animated_gif_keeps_its_frames_for_posts_and_becomes_still_for_avatars() -> None:
    data = animated_gif(frames=3)
    post = process_post_image(upload(data, name="a.gif"))
    assert post.animated
    assert getattr(opened(post), "n_frames", 1) == 3
    avatar = process_avatar(upload(data, name="a.gif"))
    assert not avatar.animated
    assert getattr(opened(avatar), "n_frames", 1) == 1


def test_file_name_is_random_and_says_the_real_type() -> None:
    first = process_post_image(upload(image_bytes("PNG"), name="../../etc/passwd.png"))
    second = process_post_image(upload(image_bytes("PNG"), name="../../etc/passwd.png"))
    assert first.file.name != second.file.name
    assert "/" not in first.file.name
    assert first.file.name.endswith(".png")
