"""Small endpoints: custom emoji (Spool has none) and preferences (derived from the account)."""

from __future__ import annotations

from typing import Any

from conftest import CommitClient
from spool.identities.services import update_profile
from tests.api.mastodon.shapes import assert_shape


def test_custom_emojis_are_an_empty_list(db: None) -> None:
    response = CommitClient().get("/api/v1/custom_emojis")
    assert response.status_code == 200 and response.json() == []


def test_preferences_follow_the_account(mastodon: Any) -> None:
    ana = mastodon("ana")
    data = ana.get("/api/v1/preferences").json()
    assert_shape("Preferences", data)
    assert data["posting:default:visibility"] == "public"
    assert data["reading:expand:media"] == "default"
    update_profile(ana.account, is_private=True)
    assert ana.get("/api/v1/preferences").json()["posting:default:visibility"] == "private"
    assert mastodon("ana", scopes="write").get("/api/v1/preferences").status_code == 403
    assert CommitClient().get("/api/v1/preferences").status_code == 401
