"""Custom feed definitions through ``/api/spool/v1/feeds/``: create, read, change, delete; the bounds and
what a refusal leaves (nothing); who may see or change a feed (a 404 exactly like a missing one); pins,
their order, the default feed, the switcher's entries, feeds from a search and from a profile."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import CommitClient
from spool.communities.services import create_community, join_community, leave_community
from spool.feeds.models import CustomFeed, FeedPin, FeedPreference
from spool.identities.services import approve_follow_request, block_account, follow_account, update_profile
from tests.feeds.custom_helpers import FEEDS

pytestmark = pytest.mark.django_db


def test_create_read_change_and_delete_a_feed(reader: Any) -> None:
    ana = reader("ana")
    reader("bob")
    made = ana.create(
        name="Film",
        mode="top",
        topics=["#Cinema", "cinema", "Books"],
        profiles=["@bob"],
        keywords=["festival"],
    )
    assert made["name"] == "Film" and made["mode"] == "top"
    assert made["topics"] == ["Cinema", "Books"]  # "#" dropped, a repeat in another case dropped
    assert [p["handle"] for p in made["profiles"]] == ["bob"]
    assert made["shared"] is False and made["pinned"] is False and made["url"] == f"/feeds/{made['id']}"
    assert ana.page(made["id"])["keywords"] == ["festival"]
    assert [f["id"] for f in ana.page("")["items"]] == [made["id"]]

    changed = ana.send("patch", made["id"], {"keywords": ["premiere", "festival"], "shared": True})
    assert changed.status_code == 200, changed.content
    assert changed.json()["keywords"] == ["premiere", "festival"] and changed.json()["shared"] is True
    assert changed.json()["topics"] == ["Cinema", "Books"]  # untouched fields stay

    assert ana.send("delete", made["id"]).status_code == 204
    assert ana.get(made["id"]).status_code == 404
    assert not CustomFeed.objects.exists()


@pytest.mark.parametrize(
    ("definition", "code", "field"),
    [
        ({"topics": [f"t{i}" for i in range(11)]}, "too_many_topics", "topics"),
        ({"keywords": [f"k{i}" for i in range(11)]}, "too_many_keywords", "keywords"),
        ({"profiles": [f"p{i}" for i in range(51)]}, "too_many_profiles", "profiles"),
        ({"keywords": ["x" * 51]}, "keyword_too_long", "keywords"),
        ({"name": "n" * 51, "keywords": ["a"]}, "name_too_long", "name"),
        ({"name": "  ", "keywords": ["a"]}, "blank", "name"),
        ({"topics": [], "profiles": [], "keywords": ["  "]}, "empty_feed", "topics"),
        ({"keywords": "film"}, "invalid", "keywords"),
        ({"keywords": ["a"], "mode": "best"}, "invalid_mode", "mode"),
        ({"profiles": ["nobody_here"]}, "unknown_profile", "profiles"),
        ({"topics": ["a.b"]}, "invalid_topic", "topics"),
        ({"keywords": ["a"], "shared": "yes"}, "invalid", "shared"),
    ],
)
def test_a_bad_definition_is_refused_and_nothing_is_written(
    reader: Any, definition: dict[str, Any], code: str, field: str
) -> None:
    ana = reader("ana")
    response = ana.send("post", "", {"name": "Feed", **definition})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code and response.json()["field"] == field
    assert response.json()["error"]
    assert not CustomFeed.objects.exists()


def test_a_refused_change_leaves_the_feed_as_it_was(reader: Any) -> None:
    ana = reader("ana")
    made = ana.create(keywords=["film"])
    response = ana.send("patch", made["id"], {"keywords": [], "name": "Renamed"})
    assert response.status_code == 422 and response.json()["code"] == "empty_feed"
    assert ana.page(made["id"])["name"] == "Feed" and ana.page(made["id"])["keywords"] == ["film"]


def test_others_cannot_see_change_or_delete_a_private_feed_and_learn_nothing(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    made = ana.create(keywords=["film"])
    missing = str(int(made["id"]) + 1)
    for method, suffix, body in [
        ("get", "", None),
        ("get", "/posts", None),
        ("patch", "", {"name": "Mine now"}),
        ("delete", "", None),
        ("post", "/pin", None),
        ("post", "/profiles", {"profile": "bob"}),
    ]:
        theirs = (
            bob.send(method, made["id"] + suffix, body)
            if body
            else getattr(bob.client, method)(FEEDS + made["id"] + suffix)
        )
        absent = (
            bob.send(method, missing + suffix, body)
            if body
            else getattr(bob.client, method)(FEEDS + missing + suffix)
        )
        assert theirs.status_code == absent.status_code == 404, (method, suffix)
        assert theirs.json() == absent.json()
    assert CustomFeed.objects.get().name == "Feed" and not FeedPin.objects.exists()


def test_a_shared_feed_is_readable_by_others_but_still_only_changed_by_its_owner(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    made = ana.create(keywords=["film"], shared=True)
    assert bob.page(made["id"])["name"] == "Feed"
    assert bob.page(made["id"] + "/posts")["items"] == []
    assert CommitClient().get(FEEDS + made["id"]).status_code == 200  # logged out, public owner
    assert bob.send("patch", made["id"], {"name": "Mine"}).status_code == 404
    assert bob.client.delete(FEEDS + made["id"]).status_code == 404
    assert [f["id"] for f in CommitClient().get(FEEDS + "by/ana").json()["items"]] == [made["id"]]


def test_a_private_owners_shared_feed_is_for_their_followers_and_never_across_a_block(reader: Any) -> None:
    ana, bob, cy = reader("ana"), reader("bob"), reader("cy")
    update_profile(ana.account, is_private=True)
    made = ana.create(keywords=["film"], shared=True)
    assert CommitClient().get(FEEDS + made["id"]).status_code == 404
    assert bob.get(made["id"]).status_code == 404
    assert bob.page("by/ana")["items"] == []
    follow_account(bob.account, ana.account)  # a request: not yet a follower
    assert bob.get(made["id"]).status_code == 404
    approve_follow_request(ana.account, bob.account)
    assert bob.get(made["id"]).status_code == 200
    update_profile(ana.account, is_private=False)
    block_account(ana.account, cy.account)
    assert cy.get(made["id"]).status_code == 404


def test_pins_their_order_and_a_pin_that_stops_being_readable(reader: Any) -> None:
    ana, bob = reader("ana"), reader("bob")
    first = ana.create(name="First", keywords=["a"])
    second = ana.create(name="Second", keywords=["b"])
    bobs = bob.create(name="Bob's", keywords=["c"], shared=True)
    for feed in (first, second, bobs):
        assert ana.client.post(FEEDS + feed["id"] + "/pin").status_code == 204
    assert ana.client.post(FEEDS + first["id"] + "/pin").status_code == 204  # idempotent
    assert [f["name"] for f in ana.page("pins")["items"]] == ["First", "Second", "Bob's"]

    order = [bobs["id"], first["id"], second["id"]]
    assert [f["id"] for f in ana.send("put", "pins", {"feed_ids": order}).json()["items"]] == order
    for wrong in ([bobs["id"], first["id"]], [*order, order[0]], [*order, "99"], "x"):
        refused = ana.send("put", "pins", {"feed_ids": wrong})
        assert refused.status_code == 422, wrong
    assert [f["id"] for f in ana.page("pins")["items"]] == order

    entries = ana.page("menu")["entries"]
    assert [e["key"] for e in entries] == ["following", "for_you", *order, "liked", "saved", "fediverse"]

    # Bob stops sharing: his feed leaves Ana's switcher (the pin row waits in case he shares again).
    assert bob.send("patch", bobs["id"], {"shared": False}).status_code == 200
    assert [f["id"] for f in ana.page("pins")["items"]] == [first["id"], second["id"]]

    assert ana.client.delete(FEEDS + first["id"] + "/pin").status_code == 204
    assert [f["id"] for f in ana.page("pins")["items"]] == [second["id"]]


def test_joined_communities_are_pinned_in_the_menu(reader: Any) -> None:
    ana, mod = reader("ana"), reader("mod")
    mod.account.user.is_staff = True
    mod.account.user.save(update_fields=["is_staff"])
    create_community(mod.account, topic="Knitting", name="Knitters")
    create_community(mod.account, topic="Birding", name="Birders")
    feed = ana.create(name="Mine", keywords=["a"])
    ana.client.post(FEEDS + feed["id"] + "/pin")
    assert [e["key"] for e in ana.page("menu")["entries"]][2:4] == [feed["id"], "liked"]
    join_community(ana.account, "knitters")
    join_community(ana.account, "birders")
    entries = ana.page("menu")["entries"]
    keys = ["following", "for_you", feed["id"], "community:birders", "community:knitters", "liked"]
    assert [e["key"] for e in entries][:6] == keys
    birders = entries[3]
    assert (birders["label"], birders["community"], birders["feed_id"]) == ("Birders", "birders", None)
    leave_community(ana.account, "birders")
    assert "community:birders" not in [e["key"] for e in ana.page("menu")["entries"]]


def test_the_default_feed(reader: Any) -> None:
    ana = reader("ana")
    made = ana.create(keywords=["a"])
    assert ana.page("default")["default"] == "following"
    refused = ana.send("put", "default", {"default": made["id"]})
    assert refused.status_code == 422 and refused.json()["code"] == "not_pinned"
    ana.client.post(FEEDS + made["id"] + "/pin")
    assert ana.send("put", "default", {"default": made["id"]}).json()["default"] == made["id"]
    assert ana.page("menu")["default"] == made["id"]
    ana.client.delete(FEEDS + made["id"] + "/pin")
    assert ana.page("default")["default"] == "following"
    assert ana.send("put", "default", {"default": "for_you"}).json()["default"] == "for_you"
    ana.client.post(FEEDS + made["id"] + "/pin")
    ana.send("put", "default", {"default": made["id"]})
    ana.client.delete(FEEDS + made["id"])
    assert ana.page("default")["default"] == "following"
    assert FeedPreference.objects.get().feed_id is None


def test_a_feed_from_a_search_and_a_profile_added_to_a_feed(reader: Any) -> None:
    ana = reader("ana")
    reader("bob")
    response = ana.send("post", "from-search", {"q": '#Cinema "film festival" premiere'})
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["name"] == '#Cinema "film festival" premiere'
    assert made["topics"] == ["Cinema"] and made["keywords"] == ["film festival", "premiere"]
    blank = ana.send("post", "from-search", {"q": "   "})
    assert blank.status_code == 422 and blank.json()["field"] == "q"

    added = ana.send("post", made["id"] + "/profiles", {"profile": "@bob"})
    assert [p["handle"] for p in added.json()["profiles"]] == ["bob"]
    again = ana.send("post", made["id"] + "/profiles", {"profile": "bob"})
    assert [p["handle"] for p in again.json()["profiles"]] == ["bob"]
    unknown = ana.send("post", made["id"] + "/profiles", {"profile": "nobody"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_profile"


def test_logged_out_callers_cannot_write(reader: Any) -> None:
    ana = reader("ana")
    made = ana.create(keywords=["a"], shared=True)
    visitor = CommitClient()
    assert visitor.post(FEEDS, "{}", content_type="application/json").status_code == 401
    assert visitor.post(FEEDS + made["id"] + "/pin").status_code == 401
    assert visitor.get(FEEDS + "liked").status_code == 401
