""" "Mark sensitive" puts the post's text behind a content warning, not only its media: on pages, in the
native API and in the Mastodon API (``sensitive`` + ``spoiler_text``, also on the cached home timeline)."""

from __future__ import annotations

import re

import pytest

from spool.identities.services import follow_account
from spool.moderation.services import report_post, take_action
from tests.api.mastodon.conftest import token_client

pytestmark = pytest.mark.django_db


def warned_text(page: str, text: str) -> bool:
    """Whether ``text`` sits inside a content-warning ``<details>`` on ``page``."""
    blocks = re.findall(r'<details class="content-warning".*?</details>', page, re.S)
    return any(text in block for block in blocks)


def test_marking_sensitive_hides_the_text_behind_a_warning_everywhere(ana, bob, mod, login, write) -> None:
    follow_account(bob, ana)
    post = write(ana, "Graphic description of the accident")
    other = write(ana, "A harmless post")
    caller = token_client(bob)
    # The home timeline's cached statuses are warm before the action.
    before = {s["id"]: s for s in caller.get("/api/v1/timelines/home").json()}
    assert before[str(post.pk)]["sensitive"] is False and before[str(post.pk)]["spoiler_text"] == ""
    reader = login(bob)
    assert not warned_text(reader.get(f"/@ana/post/{post.pk}").content.decode(), "Graphic description")

    report_post(bob, post.pk, "violence")
    take_action(mod, "post", post.pk, "sensitive", "Please add a warning to such posts.")

    page = reader.get(f"/@ana/post/{post.pk}").content.decode()
    assert warned_text(page, "Graphic description") and "Sensitive content" in page
    feed = reader.get("/").content.decode()
    assert warned_text(feed, "Graphic description") and not warned_text(feed, "A harmless post")
    native = reader.get(f"/api/spool/v1/posts/{post.pk}").json()
    assert native["sensitive"] is True and native["content_warning"] == "Sensitive content"
    assert reader.get(f"/api/spool/v1/posts/{other.pk}").json()["content_warning"] == ""
    status = caller.get(f"/api/v1/statuses/{post.pk}").json()
    assert status["sensitive"] is True and status["spoiler_text"] == "Sensitive content"
    home = {s["id"]: s for s in caller.get("/api/v1/timelines/home").json()}
    assert (
        home[str(post.pk)]["sensitive"] is True and home[str(post.pk)]["spoiler_text"] == "Sensitive content"
    )
    assert home[str(other.pk)]["sensitive"] is False
