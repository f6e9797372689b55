"""Small helpers the Mastodon API tests share: a real PNG upload and "this answered as expected"."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png(width: int = 8, height: int = 6, colour: tuple[int, int, int] = (200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")


def ok(response: Any, status: int = 200) -> Any:
    """The JSON of a response that has ``status`` (the body is shown when it does not)."""
    assert response.status_code == status, response.content
    return response.json()
