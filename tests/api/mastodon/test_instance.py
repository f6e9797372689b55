"""``/api/v1/instance`` and ``/api/v2/instance``: shapes, and limits taken from Spool's real rules."""

from __future__ import annotations

from typing import Any

from conftest import CommitClient
from spool.posts.services import create_post
from tests.api.mastodon.shapes import assert_shape


def test_v2_instance(mastodon: Any) -> None:
    create_post(mastodon("ana").account, text="hello")
    data = CommitClient().get("/api/v2/instance").json()
    assert_shape("Instance", data)
    config = data["configuration"]
    assert config["statuses"]["max_characters"] == 500
    assert config["statuses"]["max_media_attachments"] == 20
    assert config["polls"]["max_options"] == 4 and config["polls"]["max_characters_per_option"] == 25
    assert config["polls"]["min_expiration"] == config["polls"]["max_expiration"] == 86400
    assert config["accounts"]["max_pinned_statuses"] == 5
    assert config["urls"]["streaming"] == "ws://127.0.0.1:8000"
    assert data["usage"]["users"]["active_month"] == 1
    assert data["registrations"]["enabled"] is True


def test_v1_instance_and_friends(mastodon: Any) -> None:
    mastodon("ana")
    client = CommitClient()
    data = client.get("/api/v1/instance").json()
    assert_shape("V1Instance", data)
    assert data["stats"]["user_count"] == 1 and data["urls"]["streaming_api"].startswith("ws://")
    assert data["version"].startswith("4.5.0")
    assert client.get("/api/v1/instance/peers").json() == []
    assert client.get("/api/v1/instance/rules").json() == []
    activity = client.get("/api/v1/instance/activity").json()
    assert len(activity) == 12 and activity[0]["registrations"] == "1"
