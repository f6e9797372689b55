"""Pictures for the demo, drawn with Pillow (nothing is downloaded): avatars with initials on a colour, and
simple painted scenes for image posts."""

from __future__ import annotations

import io
import random
from functools import cache

from PIL import Image, ImageDraw, ImageFont

AVATAR_SIDE = 320
SCENE_SIZE = (1200, 900)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def initials(name: str) -> str:
    words = [w for w in name.replace(".", " ").split() if w[:1].isalpha()]
    letters = "".join(w[0] for w in words[:2]) or name[:1] or "?"
    return letters.upper()


def avatar_png(name: str, colour: str) -> bytes:
    """A square PNG: the name's initials, white, centred on ``colour``."""
    image = Image.new("RGB", (AVATAR_SIDE, AVATAR_SIDE), colour)
    draw = ImageDraw.Draw(image)
    text = initials(name)
    font = _font(AVATAR_SIDE // 2 - 20 * (len(text) - 1))
    draw.text((AVATAR_SIDE / 2, AVATAR_SIDE / 2), text, fill="white", font=font, anchor="mm")
    return _encode(image, "PNG")


def scene_jpeg(seed: int) -> bytes:
    """A painted landscape: a vertical gradient sky, a sun, and a few layers of hills."""
    rng = random.Random(seed)
    width, height = SCENE_SIZE
    image = Image.new("RGB", SCENE_SIZE)
    draw = ImageDraw.Draw(image)
    top = (rng.randint(20, 120), rng.randint(60, 160), rng.randint(140, 230))
    bottom = (rng.randint(200, 255), rng.randint(140, 220), rng.randint(80, 180))
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    sun_x, sun_y, radius = rng.randint(150, width - 150), rng.randint(120, height // 2), rng.randint(50, 110)
    draw.ellipse((sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius), fill=(255, 236, 179))
    for layer in range(3):
        base = int(height * (0.55 + 0.13 * layer))
        shade = 90 - 25 * layer
        colour = (rng.randint(20, 60), shade + rng.randint(0, 60), rng.randint(30, 70))
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base + rng.randint(-60, 40)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    return _encode(image, "JPEG")


def _encode(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, quality=85) if kind == "JPEG" else image.save(buffer, kind)
    return buffer.getvalue()
