"""The placeholder avatar and header that accounts without pictures point to are real images."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from spool.api.mastodon.entities.common import MISSING_AVATAR, MISSING_HEADER


@pytest.mark.parametrize(("url", "size"), [(MISSING_AVATAR, (400, 400)), (MISSING_HEADER, (1500, 500))])
def test_placeholder_is_a_static_png(url: str, size: tuple[int, int]) -> None:
    path = finders.find(url.removeprefix("/static/"))
    assert path, f"{url} is not a static file"
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", size)
