"""Validating and processing uploaded images, shared by avatars and post media.

An upload is trusted for nothing: its type is read from its content (JPEG, PNG, WebP or GIF; the file name and
the declared content type are ignored), its size is checked against ``SPOOL.media_max_upload_bytes`` before it
is decoded, and its pixel count against :data:`MAX_PIXELS` before the pixels are loaded, so a small file
that unpacks into a huge bitmap (a "decompression bomb") is refused cheaply. The image is then re-encoded
from its pixels: orientation from EXIF is applied, EXIF/XMP and every other metadata chunk are dropped (they
can carry a location), and only the colour profile is kept.

:func:`process_avatar` crops to a centred square of ``SPOOL.avatar_size`` pixels; :func:`process_post_image`
shrinks so the longer side is at most ``SPOOL.image_max_side`` (never enlarges). Animated GIF and WebP keep
their animation for post images and become their first frame for avatars. The output keeps the input's format.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from spool.core.errors import ValidationError

# Formats accepted, as Pillow names them, with the content type and file extension of each.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
# A 40-megapixel photo is larger than any phone camera makes; more is refused before decoding.
MAX_PIXELS = 40_000_000
# Animations: every frame is decoded, so the budget is on frames times pixels.
MAX_FRAMES = 500
MAX_ANIMATION_PIXELS = 120_000_000
JPEG_QUALITY = 85
WEBP_QUALITY = 85


class FileTooLarge(ValidationError):
    """The upload is bigger than the configured maximum (HTTP 413)."""

    status = 413
    code = "file_too_large"


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded image ready to store: ``file`` has a random name with the right extension."""

    file: ContentFile
    width: int
    height: int
    content_type: str
    animated: bool = False

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1] if self.file.name else ""


def process_avatar(upload: Any, *, field: str = "avatar") -> ProcessedImage:
    """Validate ``upload`` and return a square avatar of ``SPOOL.avatar_size`` pixels (centre crop)."""
    size = settings.SPOOL.avatar_size
    return _process(upload, field=field, square=size, max_side=None, keep_animation=False)


def process_post_image(upload: Any, *, field: str = "file") -> ProcessedImage:
    """Validate ``upload`` and return it with its longer side at most ``SPOOL.image_max_side`` pixels."""
    return _process(
        upload, field=field, square=None, max_side=settings.SPOOL.image_max_side, keep_animation=True
    )


def read_upload(upload: Any, *, field: str = "file") -> bytes:
    """The bytes of ``upload`` (a Django ``UploadedFile``, a file object or ``bytes``), refusing oversize ones
    without reading more than the limit plus one byte."""
    limit = settings.SPOOL.media_max_upload_bytes
    if upload is None:
        raise ValidationError("Choose an image to upload.", code="file_missing", field=field)
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        declared = getattr(upload, "size", None)
        if isinstance(declared, int) and declared > limit:
            raise _too_large(limit, field)
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit, field)
    if not data:
        raise ValidationError("The file is empty.", code="file_empty", field=field)
    return data


def identify_image(data: bytes, *, field: str = "file") -> tuple[str, int, int]:
    """(content type, width, height) of ``data`` read from its bytes, without decoding the pixels, under the
    same type and bomb checks as uploads (``ValidationError`` otherwise). For images kept as they came
    (remote media), where re-encoding would cost more than it protects."""
    image = _open(data, field)
    width, height = image.size
    return FORMATS[str(image.format)][0], width, height


def _too_large(limit: int, field: str) -> FileTooLarge:
    mib = limit / (1024 * 1024)
    size = f"{mib:.0f} MB" if mib >= 1 else f"{limit // 1024} KB"
    return FileTooLarge(f"The file is too large: the limit is {size}.", field=field)


def _unsupported(field: str) -> ValidationError:
    return ValidationError(
        "This file is not a supported image. Upload a JPEG, PNG, WebP or GIF.",
        code="unsupported_image",
        field=field,
    )


def _open(data: bytes, field: str) -> Image.Image:
    """Open and identify ``data`` without decoding its pixels; refuse unknown types and bombs."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _bomb(field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _unsupported(field) from None
    if image.format not in FORMATS:
        raise _unsupported(field)
    width, height = image.size
    if width < 1 or height < 1:
        raise _unsupported(field)
    if width * height > MAX_PIXELS:
        raise _bomb(field)
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_FRAMES or frames * width * height > MAX_ANIMATION_PIXELS:
        raise ValidationError(
            f"This animation is too long or too large (at most {MAX_FRAMES} frames).",
            code="image_too_large",
            field=field,
        )
    return image


def _bomb(field: str) -> ValidationError:
    return ValidationError(
        f"This image has too many pixels (at most {MAX_PIXELS // 1_000_000} megapixels).",
        code="image_too_large",
        field=field,
    )


def _process(
    upload: Any, *, field: str, square: int | None, max_side: int | None, keep_animation: bool
) -> ProcessedImage:
    data = read_upload(upload, field=field)
    image = _open(data, field)
    fmt = image.format or ""
    content_type, extension = FORMATS[fmt]
    icc = image.info.get("icc_profile")
    animated = keep_animation and getattr(image, "n_frames", 1) > 1
    try:
        if animated:
            frames, durations = _animation_frames(image, square=square, max_side=max_side)
            out = frames[0]
        else:
            image.seek(0)
            out = _transform(ImageOps.exif_transpose(image), square=square, max_side=max_side)
            frames, durations = [out], []
        payload = _encode(fmt, frames, durations, loop=image.info.get("loop", 0), icc=icc)
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        # Truncated or corrupt data only shows up when the pixels are decoded.
        raise _unsupported(field) from None
    name = f"{secrets.token_hex(12)}.{extension}"
    return ProcessedImage(ContentFile(payload, name=name), out.width, out.height, content_type, animated)


def _transform(image: Image.Image, *, square: int | None, max_side: int | None) -> Image.Image:
    """Resize one frame. The result is a new image whose ``info`` (metadata) is empty."""
    image = _normalise_mode(image)
    if square:
        result = ImageOps.fit(image, (square, square), method=Image.Resampling.LANCZOS)
    elif max_side and max(image.size) > max_side:
        result = image.copy()
        result.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    else:
        result = image.copy()
    result.info = {}
    return result


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Bring unusual modes (CMYK, 16-bit, palette with transparency…) to RGB or RGBA."""
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    if image.mode == "P" and "transparency" not in image.info:
        return image.convert("RGB")
    has_alpha = image.mode in ("P", "PA", "RGBa", "La") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _animation_frames(
    image: Image.Image, *, square: int | None, max_side: int | None
) -> tuple[list[Image.Image], list[int]]:
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration", 100)) or 100)
        frames.append(_transform(frame.convert("RGBA"), square=square, max_side=max_side))
    return frames, durations


def _encode(
    fmt: str, frames: list[Image.Image], durations: list[int], *, loop: int, icc: bytes | None
) -> bytes:
    buffer = io.BytesIO()
    first = frames[0]
    options: dict[str, Any] = {}
    if icc and fmt in ("JPEG", "PNG", "WEBP"):
        options["icc_profile"] = icc
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:], duration=durations, loop=loop)
        if fmt == "GIF":
            options["disposal"] = 2
        else:
            options.update(quality=WEBP_QUALITY)
    elif fmt == "JPEG":
        if first.mode not in ("RGB", "L"):
            first = _flatten(first)
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "WEBP":
        options.update(quality=WEBP_QUALITY)
    first.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Composite a transparent image on white (JPEG has no alpha channel)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
