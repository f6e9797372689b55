"""Replies: threads with a root, exact counters, reply controls of the root post for the whole thread, and
hiding replies (cascading to the branch below, undone exactly)."""

from __future__ import annotations

from typing import Any

import pytest

from spool.posts.models import Post
from tests.posts.conftest import Person
from tests.posts.test_compose import refused

pytestmark = pytest.mark.django_db


def test_replies_form_a_thread_with_exact_counts(ana: Person, bob: Person, cy: Person) -> None:
    root = ana.write("Root")
    first = bob.reply(root, "First")
    second = cy.reply(first, "Second")
    assert first["root_id"] == root["id"] and second["root_id"] == root["id"]
    assert second["reply_to_id"] == first["id"]
    assert second["reply_to_author"]["handle"] == "bob"
    assert ana.view(root)["replies_count"] == 1
    assert ana.view(first)["replies_count"] == 1
    assert cy.send("delete", second["id"]).status_code == 204
    assert ana.view(first)["replies_count"] == 0


def test_you_cannot_reply_to_a_post_you_cannot_see(ana: Person, bob: Person) -> None:
    ana.go_private()
    post = ana.write("Friends only")
    refused(bob.try_post("hi", reply_to_id=post["id"]), 404, "not_found")
    refused(bob.try_post("hi", reply_to_id=999), 404, "not_found")
    assert Post.objects.count() == 1


def audience(person: Any, names: tuple[str, ...]) -> dict[str, Person]:
    return {name: person(name) for name in names}


def can_reply(replier: Person, post: dict[str, Any]) -> bool:
    response = replier.try_post("reply", reply_to_id=post["id"])
    if response.status_code == 403:
        assert response.json()["code"] == "reply_not_allowed"
        assert response.json()["field"] == "reply_to_id"
        return False
    assert response.status_code == 201, response.content
    return True


def test_everyone_can_reply(ana: Person, bob: Person) -> None:
    assert can_reply(bob, ana.write("open", reply_control="everyone"))


def test_accounts_you_follow(person: Any) -> None:
    p = audience(person, ("author", "followed", "stranger"))
    p["author"].follow(p["followed"])
    post = p["author"].write("x", reply_control="accounts_you_follow")
    assert can_reply(p["followed"], post)
    assert not can_reply(p["stranger"], post)
    assert can_reply(p["author"], post)


def test_mentioned_only(person: Any) -> None:
    p = audience(person, ("author", "named", "stranger"))
    post = p["author"].write("hey @named", reply_control="mentioned_only")
    assert can_reply(p["named"], post)
    assert not can_reply(p["stranger"], post)


def test_followers_only(person: Any) -> None:
    p = audience(person, ("author", "fan", "stranger"))
    p["fan"].follow(p["author"])
    post = p["author"].write("x", reply_control="followers_only")
    assert can_reply(p["fan"], post)
    assert not can_reply(p["stranger"], post)


def test_parent_post_author_only(person: Any) -> None:
    p = audience(person, ("author", "fan"))
    p["fan"].follow(p["author"])
    post = p["author"].write("x", reply_control="parent_post_author_only")
    assert not can_reply(p["fan"], post)
    assert can_reply(p["author"], post)


def test_the_root_posts_control_governs_the_whole_thread(person: Any) -> None:
    p = audience(person, ("author", "named", "stranger"))
    root = p["author"].write("hey @named", reply_control="mentioned_only")
    reply = p["named"].reply(root, "answer", reply_control="everyone")
    assert reply["reply_control"] == "mentioned_only"
    assert not can_reply(p["stranger"], reply)
    assert can_reply(p["author"], reply)


def branch(ana: Person, bob: Person, cy: Person) -> dict[str, dict[str, Any]]:
    root = ana.write("root")
    a = bob.reply(root, "a")
    a1 = cy.reply(a, "a1")
    a11 = bob.reply(a1, "a11")
    b = cy.reply(root, "b")
    return {"root": root, "a": a, "a1": a1, "a11": a11, "b": b}


def hidden_ids() -> set[str]:
    return {str(i) for i in Post.objects.filter(hidden=True).values_list("id", flat=True)}


def test_hiding_a_reply_hides_its_branch_and_unhiding_restores_it(
    ana: Person, bob: Person, cy: Person, person: Any
) -> None:
    t = branch(ana, bob, cy)
    dee = person("dee")
    response = ana.act(t["a"], "hide")
    assert response.status_code == 200 and response.json()["hidden"] is True
    assert hidden_ids() == {t["a"]["id"], t["a1"]["id"], t["a11"]["id"]}
    assert [dee.see(t[k]).status_code for k in ("a", "a1", "a11", "b")] == [404, 404, 404, 200]
    assert bob.see(t["a"]).status_code == 200  # a hidden reply's author still sees it (unmarked)
    assert cy.see(t["a1"]).status_code == 200
    assert ana.view(t["a"])["hidden"] is True and bob.view(t["a"])["hidden"] is False
    thread = ana.get(f"{t['root']['id']}/thread").json()
    assert [r["hidden"] for r in thread["replies"]] == [True, False]
    # In the thread, the hidden branch is gone whole for everyone else (cy's a1 hangs below hidden a).
    assert [r["post"]["id"] for r in cy.get(f"{t['root']['id']}/thread").json()["replies"]] == [t["b"]["id"]]
    assert ana.act(t["a"], "unhide").status_code == 200
    assert hidden_ids() == set()
    assert dee.see(t["a11"]).status_code == 200


def test_unhide_reverses_only_what_that_hide_did(ana: Person, bob: Person, cy: Person) -> None:
    t = branch(ana, bob, cy)
    ana.act(t["a1"], "hide")
    ana.act(t["a"], "hide")
    assert hidden_ids() == {t["a"]["id"], t["a1"]["id"], t["a11"]["id"]}
    refused(ana.act(t["a11"], "unhide"), 409, "hidden_by_parent")
    ana.act(t["a"], "unhide")
    assert hidden_ids() == {t["a1"]["id"], t["a11"]["id"]}
    ana.act(t["a1"], "unhide")
    assert hidden_ids() == set()


def test_hiding_inside_a_hidden_branch_takes_that_part_over(ana: Person, bob: Person, cy: Person) -> None:
    t = branch(ana, bob, cy)
    ana.act(t["a"], "hide")
    ana.act(t["a1"], "hide")
    ana.act(t["a"], "unhide")
    assert hidden_ids() == {t["a1"]["id"], t["a11"]["id"]}


def test_replies_into_a_hidden_branch_are_hidden_too(ana: Person, bob: Person, cy: Person) -> None:
    t = branch(ana, bob, cy)
    ana.act(t["a"], "hide")
    late = bob.reply(t["a"], "late")
    assert late["id"] in hidden_ids()
    ana.act(t["a"], "unhide")
    assert hidden_ids() == set()


def test_only_the_threads_author_hides_replies(ana: Person, bob: Person, cy: Person) -> None:
    t = branch(ana, bob, cy)
    refused(bob.act(t["a1"], "hide"), 403, "not_thread_author")
    refused(ana.act(t["root"], "hide"), 422, "not_a_reply")
    assert hidden_ids() == set()
    assert ana.act(t["a"], "hide").status_code == 200
    assert ana.act(t["a"], "hide").status_code == 200  # twice is a no-op
    assert ana.act(t["b"], "unhide").status_code == 200  # not hidden: a no-op


def test_thread_shows_ancestors_post_and_reply_tree(ana: Person, bob: Person, cy: Person) -> None:
    t = branch(ana, bob, cy)
    body = cy.get(f"{t['a1']['id']}/thread").json()
    assert [p["id"] for p in body["ancestors"]] == [t["root"]["id"], t["a"]["id"]]
    assert body["post"]["id"] == t["a1"]["id"]
    assert [r["post"]["id"] for r in body["replies"]] == [t["a11"]["id"]]
    whole = cy.get(f"{t['root']['id']}/thread").json()
    assert [r["post"]["id"] for r in whole["replies"]] == [t["a"]["id"], t["b"]["id"]]
    assert whole["replies"][0]["replies"][0]["replies"][0]["post"]["id"] == t["a11"]["id"]
