"""``/api/v1/markers``: saving and reading positions by form or JSON, versions, scopes, 422 without a
write."""

from __future__ import annotations

from spool.feeds.models import Marker
from tests.api.mastodon.shapes import assert_shape

API = "/api/v1/markers"


def test_markers_are_saved_by_form_and_json_and_read_back(mastodon):
    ana = mastodon("ana")
    assert ana.get(API).json() == {}
    saved = ana.form("post", API, {"home[last_read_id]": "100"})
    assert saved.status_code == 200
    assert_shape("Marker", saved.json()["home"])
    assert saved.json()["home"]["last_read_id"] == "100" and saved.json()["home"]["version"] == 1
    saved = ana.post(API, {"home": {"last_read_id": "200"}, "notifications": {"last_read_id": "7"}}).json()
    assert (saved["home"]["last_read_id"], saved["home"]["version"]) == ("200", 2)
    read = ana.get(API, **{"timeline[]": ["home", "notifications"]}).json()
    assert set(read) == {"home", "notifications"}
    assert_shape("Marker", list(read.values()))
    assert set(ana.get(API, **{"timeline[]": ["home"]}).json()) == {"home"}
    assert mastodon("bo").get(API, **{"timeline[]": ["home"]}).json() == {}


def test_bad_positions_are_422_and_save_nothing(mastodon):
    ana = mastodon("ana")
    for body in (
        {"home": {"last_read_id": "abc"}},
        {"home": "5"},
        {},
        {"home": {"last_read_id": "1"}, "notifications": {}},
    ):
        response = ana.post(API, body)
        assert response.status_code == 422, body
        assert response.json()["error"]
    assert not Marker.objects.exists()


def test_scopes(mastodon, anon):
    assert (
        mastodon("ana", scopes="read:statuses").post(API, {"home": {"last_read_id": "1"}}).status_code == 403
    )
    assert mastodon("ana", scopes="write:statuses").get(API).status_code == 403
    assert (
        anon.post(API, '{"home": {"last_read_id": "1"}}', content_type="application/json").status_code == 401
    )
    assert not Marker.objects.exists()
    assert mastodon("ana", scopes="write").post(API, {"home": {"last_read_id": "1"}}).status_code == 200
