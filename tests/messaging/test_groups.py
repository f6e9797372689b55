"""Groups: up to 50 members, named, admins add and remove, only people who follow you can be added, leaving,
system lines for joins and leaves, and what removed members can no longer do."""

from __future__ import annotations

import pytest

from spool.messaging.models import MAX_GROUP_MEMBERS, Membership, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(ana, bob, cy):
    """Ana's group "Birders" with Bob and Cy (both follow Ana)."""
    bob.follow(ana)
    cy.follow(ana)
    body = ana.ok("post", "groups", {"name": "Birders", "member_ids": [str(bob.id), str(cy.id)]}, status=201)
    return body["id"]


def state() -> list[tuple]:
    rows = Membership.objects.order_by("id").values_list("account_id", "state", "role")
    return [*rows, (Message.objects.count(),)]


def test_create_a_named_group(ana, bob, cy, group):
    for member in (ana, bob, cy):
        [conversation] = member.inbox()
        assert conversation["id"] == group and conversation["title"] == "Birders"
        assert {m["handle"] for m in conversation["members"]} == {"ana", "bob", "cy"}
    assert bob.texts(group) == ["[ana created the group]"]
    bob.say(group, "hi all")
    assert cy.texts(group)[-1] == "hi all"


def test_only_people_who_follow_you_can_be_added(ana, bob, cy):
    bob.follow(ana)
    before = state()
    response = ana.call("post", "groups", {"name": "x", "member_ids": [str(bob.id), str(cy.id)]})
    assert response.status_code == 403 and response.json()["code"] == "cannot_add"
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "x", "member_ids": []}, 422),
        ({"name": "x", "member_ids": "123"}, 422),
        ({"name": "x", "member_ids": ["abc"]}, 422),
        ({"name": "x", "member_ids": ["999999"]}, 404),
        ({"name": "x" * 101, "member_ids": ["1"]}, 422),
    ],
)
def test_bad_groups_are_refused(ana, body, status):
    before = state()
    assert ana.call("post", "groups", body).status_code == status
    assert state() == before


def test_a_group_holds_at_most_50(person, ana):
    people = [person(f"m{i}") for i in range(MAX_GROUP_MEMBERS)]
    for p in people:
        p.follow(ana)
    before = state()
    response = ana.call("post", "groups", {"name": "big", "member_ids": [str(p.id) for p in people]})
    assert response.status_code == 422 and response.json()["code"] == "group_full"
    assert state() == before
    gid = ana.ok(
        "post", "groups", {"name": "big", "member_ids": [str(p.id) for p in people[:-1]]}, status=201
    )["id"]
    assert len(ana.ok("get", f"conversations/{gid}")["members"]) == MAX_GROUP_MEMBERS
    extra = person("extra")
    extra.follow(ana)
    response = ana.call("post", f"conversations/{gid}/members", {"member_ids": [str(extra.id)]})
    assert response.status_code == 422 and response.json()["code"] == "group_full"


def test_admin_adds_a_member_who_sees_from_then_on(ana, bob, cy, person, group):
    ana.say(group, "before dee")
    dee = person("dee")
    dee.follow(ana)
    ana.ok("post", f"conversations/{group}/members", {"member_ids": [str(dee.id)]})
    ana.say(group, "welcome dee")
    assert dee.texts(group) == ["[ana added dee]", "welcome dee"]
    assert bob.texts(group)[-2:] == ["[ana added dee]", "welcome dee"]


def test_members_cannot_add_or_remove(ana, bob, cy, person, group):
    dee = person("dee")
    dee.follow(bob)
    before = state()
    assert (
        bob.call("post", f"conversations/{group}/members", {"member_ids": [str(dee.id)]}).json()["code"]
        == "not_admin"
    )
    assert bob.call("delete", f"conversations/{group}/members/{cy.id}").json()["code"] == "not_admin"
    assert bob.call("patch", f"conversations/{group}", {"name": "mine"}).json()["code"] == "not_admin"
    assert state() == before


def test_removed_member_keeps_history_but_can_do_nothing(ana, bob, cy, group):
    ana.say(group, "before")
    message = cy.say(group, "cy speaks")
    ana.ok("delete", f"conversations/{group}/members/{cy.id}")
    ana.say(group, "after")
    assert cy.texts(group) == ["[ana created the group]", "before", "cy speaks", "[ana removed cy]"]
    before = state()
    response = cy.send(group, "let me back")
    assert response.status_code == 403 and response.json()["code"] == "not_a_member"
    assert cy.call("put", f"messages/{message['id']}/reaction", {"emoji": "👍"}).status_code == 403
    assert cy.call("patch", f"messages/{message['id']}", {"text": "edit"}).status_code == 403
    assert state() == before
    assert {m["handle"] for m in bob.ok("get", f"conversations/{group}")["members"]} == {"ana", "bob"}


def test_leave_with_a_system_line_and_the_admin_role_passes_on(ana, bob, cy, group):
    ana.ok("post", f"conversations/{group}/leave")
    assert bob.texts(group)[-1] == "[ana left]"
    assert ana.send(group, "hello?").status_code == 403
    assert bob.ok("get", f"conversations/{group}")["role"] == "admin"
    bob.ok("patch", f"conversations/{group}", {"name": "Birders II"})
    assert cy.inbox()[0]["title"] == "Birders II"


def test_one_to_one_conversations_cannot_be_left(friends):
    ana, bob = friends
    cid = ana.start(bob)["conversation"]["id"]
    assert ana.call("post", f"conversations/{cid}/leave").json()["code"] == "not_a_group"
