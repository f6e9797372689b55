"""``/api/v1/notifications``: Spool's kinds as Mastodon types, filters by type and account, paging,
get/dismiss/clear, the unread count and markers, scopes, hidden words, and the query count at limit=40."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spool.identities.services import follow_account, update_profile
from spool.identities.services.word_filters import KeywordChange, create_filter
from spool.notifications.models import Notification
from spool.posts.services import create_post, like_post, repost_post
from tests.api.mastodon.shapes import assert_shape
from tests.api.mastodon.test_timelines import page_queries

API = "/api/v1/notifications"


@pytest.fixture
def busy(mastodon):
    """ana's post gets a like, a repost, a reply, a quote and a mention; bo follows her."""
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    post = create_post(ana.account, text="my post")
    like_post(bo.account, post.id)
    repost_post(cy.account, post.id)
    create_post(bo.account, text="a reply", reply_to_id=post.id)
    create_post(cy.account, text="a quote", quote_of_id=post.id)
    create_post(cy.account, text="hi @ana")
    follow_account(bo.account, ana.account)
    return ana, bo, cy, post


def test_kinds_map_onto_mastodon_types(busy):
    ana, bo, _cy, post = busy
    response = ana.get(API)
    assert response.status_code == 200
    notifications = response.json()
    assert_shape("Notification", notifications)
    assert [(n["type"], n["spool"]["kind"]) for n in notifications] == [
        ("follow", "follow"),
        ("mention", "mention"),
        ("quote", "quote"),
        ("mention", "reply"),
        ("reblog", "repost"),
        ("favourite", "like"),
    ]
    favourite = notifications[-1]
    assert favourite["account"]["id"] == str(bo.account.id) and favourite["status"]["id"] == str(post.id)
    assert favourite["group_key"] == f"favourite-{post.id}"
    assert notifications[0]["status"] is None


def test_types_exclude_types_and_account_id(busy):
    ana, _bo, cy, _ = busy
    assert [n["type"] for n in ana.get(API, **{"types[]": ["mention", "favourite"]}).json()] == [
        "mention",
        "mention",
        "favourite",
    ]
    assert [
        n["type"] for n in ana.get(API, **{"exclude_types[]": ["mention", "quote", "reblog"]}).json()
    ] == [
        "follow",
        "favourite",
    ]
    assert {n["account"]["id"] for n in ana.get(API, account_id=cy.account.id).json()} == {str(cy.account.id)}
    assert ana.get(API, **{"types[]": ["admin.sign_up", "nonsense"]}).json() == []
    assert ana.get(API, account_id="x").status_code == 422


def test_paging_with_link_header(busy):
    ana, *_ = busy
    every = [n["id"] for n in ana.get(API).json()]
    first = ana.get(API, limit=2)
    assert [n["id"] for n in first.json()] == every[:2]
    assert f"max_id={every[1]}" in first["Link"]
    assert [n["id"] for n in ana.get(API, limit=2, max_id=every[1]).json()] == every[2:4]
    assert [n["id"] for n in ana.get(API, min_id=every[2]).json()] == every[:2]


def test_get_dismiss_and_clear_touch_only_ones_own(busy, mastodon):
    ana, _bo, *_ = busy
    first = ana.get(API).json()[0]
    assert ana.get(f"{API}/{first['id']}").json()["id"] == first["id"]
    eve = mastodon("eve")
    assert eve.get(f"{API}/{first['id']}").status_code == 404
    assert eve.post(f"{API}/{first['id']}/dismiss").status_code == 404
    assert eve.post(f"{API}/clear").status_code == 200
    assert Notification.objects.filter(recipient=ana.account).count() == 6
    assert ana.post(f"{API}/{first['id']}/dismiss").status_code == 200
    assert ana.get(f"{API}/{first['id']}").status_code == 404
    assert ana.post(f"{API}/nonsense/dismiss").status_code == 404
    assert ana.post(f"{API}/clear").status_code == 200
    assert ana.get(API).json() == []


def test_scopes_are_enforced_and_nothing_changes_on_refusal(busy, mastodon, anon):
    ana, *_ = busy
    first = ana.get(API).json()[0]["id"]
    reader = mastodon("ana", scopes="read:notifications")
    assert reader.get(API).status_code == 200
    assert reader.post(f"{API}/{first}/dismiss").status_code == 403
    assert reader.post(f"{API}/clear").status_code == 403
    assert mastodon("ana", scopes="write:notifications").get(API).status_code == 403
    assert anon.get(API).status_code == 401
    assert anon.post(f"{API}/clear").status_code == 401
    assert Notification.objects.filter(recipient=ana.account).count() == 6


def test_unread_count_and_the_notifications_marker(busy):
    ana, *_ = busy
    assert ana.get(f"{API}/unread_count").json() == {"count": 6}
    assert ana.get(f"{API}/unread_count", limit=2).json() == {"count": 2}
    assert ana.get(f"{API}/unread_count", **{"types[]": ["favourite"]}).json() == {"count": 1}
    third = ana.get(API).json()[2]["id"]
    assert ana.form("post", "/api/v1/markers", {"notifications[last_read_id]": third}).status_code == 200
    assert ana.get(f"{API}/unread_count").json() == {"count": 2}
    assert ana.get(f"{API}/unread_count", limit="x").status_code == 422


def test_a_hide_filter_leaves_the_notification_out(busy):
    ana, *_ = busy
    create_filter(
        ana.account,
        title="No quotes",
        context=["notifications"],
        action="hide",
        keywords=[KeywordChange("quote")],
    )
    assert "quote" not in [n["type"] for n in ana.get(API).json()]


def test_a_post_the_recipient_can_no_longer_see_drops_its_notification(mastodon):
    ana, bo = mastodon("ana"), mastodon("bo")
    follow_account(ana.account, bo.account)
    create_post(bo.account, text="hi @ana")
    assert [n["type"] for n in ana.get(API).json()] == ["mention"]
    update_profile(bo.account, is_private=True)
    from spool.identities.services import unfollow_account

    unfollow_account(ana.account, bo.account)
    assert ana.get(API).json() == []


NOTIFICATION_QUERIES = 10


def test_a_page_costs_the_same_queries_for_5_and_40(mastodon):
    ana = mastodon("ana")
    fans = [mastodon(f"fan{n}") for n in range(8)]
    post = create_post(ana.account, text="popular", poll_options=["a", "b"], topic="Pop")
    actions = [
        lambda fan: like_post(fan.account, post.id),
        lambda fan: repost_post(fan.account, post.id),
        lambda fan: create_post(fan.account, text="reply", reply_to_id=post.id),
        lambda fan: create_post(fan.account, text="hey @ana"),
        lambda fan: follow_account(fan.account, ana.account),
    ]

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = ana.get(API, limit=40)
        return page_queries(captured), len(response.json())

    for fan, action in zip(fans, actions, strict=False):
        action(fan)
    few, shown = count()
    assert shown == 5
    for n, fan in enumerate(fans):
        for k, action in enumerate(actions):
            if n != k:  # the first five fans did action n already
                action(fan)
    many, shown = count()
    assert shown == 40
    assert few == many == NOTIFICATION_QUERIES


def test_grouped_notifications(mastodon):
    ana = mastodon("ana")
    fans = [mastodon(f"fan{n}") for n in range(3)]
    post = create_post(ana.account, text="popular")
    for fan in fans:
        like_post(fan.account, post.id)
        follow_account(fan.account, ana.account)
    create_post(fans[0].account, text="hey @ana")
    result = ana.get("/api/v2/notifications").json()
    assert_shape("GroupedNotificationsResults", result)
    groups = result["notification_groups"]
    assert [(g["type"], g["notifications_count"]) for g in groups] == [
        ("mention", 1),
        ("follow", 3),
        ("favourite", 3),
    ]
    favourites = groups[2]
    assert favourites["group_key"] == f"favourite-{post.id}" and favourites["status_id"] == str(post.id)
    assert favourites["sample_account_ids"] == [str(f.account.id) for f in reversed(fans)]
    assert {a["id"] for a in result["accounts"]} == {str(f.account.id) for f in fans}
    assert {s["id"] for s in result["statuses"]} == {str(post.id), groups[0]["status_id"]}
    # A page holds fewer notifications than the group: the count is still the group's.
    page = ana.get("/api/v2/notifications", limit=5).json()["notification_groups"]
    assert page[-1]["type"] == "favourite" and page[-1]["notifications_count"] == 3
    ungrouped = ana.get("/api/v2/notifications", **{"grouped_types[]": ["reblog"]}).json()
    assert len(ungrouped["notification_groups"]) == 7
    one = ana.get(f"/api/v2/notifications/favourite-{post.id}").json()
    assert [g["notifications_count"] for g in one["notification_groups"]] == [3]
    assert len(ana.get(f"/api/v2/notifications/favourite-{post.id}/accounts").json()) == 3
    assert mastodon("eve").get(f"/api/v2/notifications/favourite-{post.id}").status_code == 404
    assert mastodon("eve").post(f"/api/v2/notifications/favourite-{post.id}/dismiss").status_code == 404
    assert ana.get("/api/v2/notifications/nonsense-1").status_code == 404
    assert ana.post(f"/api/v2/notifications/favourite-{post.id}/dismiss").status_code == 200
    assert Notification.objects.filter(recipient=ana.account, kind="like").count() == 0
    assert Notification.objects.filter(recipient=ana.account).count() == 4
    assert ana.get("/api/v1/notifications/unread_count").json() == {"count": 4}
    assert ana.get("/api/v2/notifications/unread_count").json() == {"count": 2}  # the follows, the mention
