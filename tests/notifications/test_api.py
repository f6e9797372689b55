"""The Activity tab over JSON: listing, filters, pages, unread counts, marking read, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.notifications.conftest import NOTIFICATIONS, Person


def _likes(ana: Person, people: list[Person], count: int) -> list[dict[str, Any]]:
    posts = [ana.write(f"post {i}") for i in range(count)]
    for post in posts:
        for other in people:
            other.act(post, "like")
    return posts


def test_an_item_says_what_happened_who_did_it_and_to_which_post(ana: Person, bob: Person) -> None:
    post = ana.write("hello")
    bob.act(post, "like")
    [item] = ana.notifications()["items"]
    assert item["kind"] == "like" and item["read"] is False and item["created_at"]
    assert item["actor"] == {
        "id": str(bob.id),
        "handle": "bob",
        "display_name": "bob",
        "avatar_url": None,
        "is_verified": False,
    }
    assert item["post"] == {
        "id": post["id"],
        "author_handle": "ana",
        "text": "hello",
        "spoilers": [],
        "url": f"/@ana/post/{post['id']}",
    }


def test_pages_follow_the_cursor_newest_first(ana: Person, bob: Person) -> None:
    _likes(ana, [bob], 5)
    seen: list[str] = []
    page = ana.notifications(limit=2)
    while True:
        seen += [n["id"] for n in page["items"]]
        assert len(page["items"]) <= 2
        if page["next_cursor"] is None:
            break
        page = ana.notifications(limit=2, cursor=page["next_cursor"])
    assert len(seen) == 5 == len(set(seen))
    assert seen == sorted(seen, key=int, reverse=True)


def test_the_kinds_filter(ana: Person, bob: Person) -> None:
    post = ana.write("hi")
    bob.act(post, "like")
    bob.reply(post)
    bob.graph(ana, "follow")
    assert [n["kind"] for n in ana.notifications(kinds="follow")["items"]] == ["follow"]
    assert {n["kind"] for n in ana.notifications(kinds="like,reply")["items"]} == {"like", "reply"}
    response = ana.client.get(NOTIFICATIONS, {"kinds": ["like", "follow"]})
    assert {n["kind"] for n in response.json()["items"]} == {"like", "follow"}
    assert len(ana.notifications(kinds="")["items"]) == 3


def test_bad_filters_and_cursors_are_refused(ana: Person) -> None:
    response = ana.client.get(NOTIFICATIONS, {"kinds": "like,shout"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_kind" and body["field"] == "kinds" and "shout" in body["error"]
    response = ana.client.get(NOTIFICATIONS, {"cursor": "yesterday"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_cursor"


def test_signed_out_visitors_have_no_activity(anon: Any) -> None:
    for response in (
        anon.get(NOTIFICATIONS),
        anon.get(NOTIFICATIONS + "unread_count"),
        anon.post(NOTIFICATIONS + "read"),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_marking_everything_read(ana: Person, bob: Person) -> None:
    _likes(ana, [bob], 3)
    assert ana.unread() == 3
    response = ana.client.post(NOTIFICATIONS + "read")  # no body at all
    assert response.status_code == 200
    assert response.json() == {"marked": 3, "unread_count": 0}
    assert all(n["read"] for n in ana.notifications()["items"])
    assert ana.ok(NOTIFICATIONS + "read", {}) == {"marked": 0, "unread_count": 0}


def test_marking_some_read_ignores_other_people_s(ana: Person, bob: Person, cy: Person) -> None:
    _likes(ana, [bob], 3)
    cy_post = cy.write("mine")
    bob.act(cy_post, "like")
    [cy_item] = cy.notifications()["items"]
    first, second, _ = ana.notifications()["items"]

    result = ana.ok(NOTIFICATIONS + "read", {"ids": [first["id"], int(second["id"]), cy_item["id"], "999"]})
    assert result == {"marked": 2, "unread_count": 1}
    assert cy.unread() == 1
    assert [n["read"] for n in ana.notifications()["items"]] == [True, True, False]
    assert ana.ok(NOTIFICATIONS + "read", {"ids": None})["unread_count"] == 0


def test_mark_read_takes_at_most_200_ids(ana: Person) -> None:
    assert ana.ok(NOTIFICATIONS + "read", {"ids": list(range(1, 201))})["marked"] == 0
    response = ana.send(NOTIFICATIONS + "read", {"ids": list(range(1, 202))})
    assert response.status_code == 422
    assert response.json()["code"] == "too_many" and response.json()["field"] == "ids"


def test_mark_read_refuses_bad_bodies(ana: Person, bob: Person) -> None:
    bob.act(ana.write("x"), "like")
    for body in ('{"ids": "all"}', '{"ids": ["one"]}', "not json", "[1, 2]", '{"idz": [1]}'):
        response = ana.client.post(NOTIFICATIONS + "read", body, content_type="application/json")
        assert response.status_code == 422, body
        assert response.json()["error"]
    assert ana.unread() == 1


def test_a_page_costs_the_same_queries_whatever_it_holds(
    ana: Person, person: Callable[[str], Person], django_assert_max_num_queries: Any
) -> None:
    others = [person(f"p{i}") for i in range(3)]
    _likes(ana, others[:1], 1)
    with django_assert_max_num_queries(8) as small:
        ana.notifications()
    budget = len(small)
    assert budget > 0
    _likes(ana, others, 5)
    for other in others:
        other.graph(ana, "follow")
    with django_assert_max_num_queries(budget):
        assert len(ana.notifications(limit=40)["items"]) == 19


def test_the_unread_count_stops_at_100(ana: Person, person: Callable[[str], Person]) -> None:
    fans = [person(f"fan{i}") for i in range(4)]
    posts = [ana.write(f"post {i}") for i in range(26)]
    for fan in fans:
        for post in posts:
            fan.act(post, "like")
    assert ana.unread() == 100  # 104 unread
    first = ana.notifications()["items"][0]["id"]
    assert ana.ok(NOTIFICATIONS + "read", {"ids": [first]}) == {"marked": 1, "unread_count": 100}
    assert ana.ok(NOTIFICATIONS + "read")["marked"] == 103
