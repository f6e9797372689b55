"""Real image files made with Pillow, for upload tests."""

from __future__ import annotations

import io

from PIL import Image

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (64, 48), mode: str = "RGB", **save: object
) -> bytes:
    colour: object = (200, 30, 30) if mode in ("RGB", "CMYK") else 128
    if mode == "RGBA":
        colour = (200, 30, 30, 100)
    if mode == "CMYK":
        colour = (10, 200, 30, 0)
    image = Image.new(mode, size, colour)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_exif(size: tuple[int, int] = (200, 100), orientation: int = 6) -> bytes:
    """A JPEG whose EXIF says "rotate 90°" (orientation 6) and carries a GPS position."""
    image = Image.new("RGB", size, (0, 120, 255))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "SpoolCam"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def animated_gif(frames: int = 3, size: tuple[int, int] = (40, 30)) -> bytes:
    images = [Image.new("RGB", size, (i * 60, 0, 255 - i * 60)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=80, loop=0)
    return buffer.getvalue()


def decompression_bomb() -> bytes:
    """A small PNG (a few kilobytes) that decodes to 64 megapixels."""
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def dimensions(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size
