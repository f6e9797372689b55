"""``/api/v1/lists``: CRUD, members (only followed accounts), the lists holding an account, scopes, 404 for
someone else's list, 422 without a write."""

from __future__ import annotations

from spool.feeds.models import List, ListMember
from spool.identities.services import follow_account
from tests.api.mastodon.shapes import assert_shape

API = "/api/v1/lists"


def test_lists_are_created_read_updated_and_deleted(mastodon):
    ana = mastodon("ana")
    created = ana.form("post", API, {"title": "Friends", "replies_policy": "followed", "exclusive": "true"})
    assert created.status_code == 200, created.content
    entity = created.json()
    assert_shape("List", entity)
    assert (entity["title"], entity["replies_policy"], entity["exclusive"]) == ("Friends", "followed", True)
    ana.post(API, {"title": "Art"})
    assert [x["title"] for x in ana.get(API).json()] == ["Art", "Friends"]
    assert ana.get(f"{API}/{entity['id']}").json() == entity
    updated = ana.put(f"{API}/{entity['id']}", {"title": "Pals", "exclusive": False}).json()
    assert (updated["title"], updated["replies_policy"], updated["exclusive"]) == ("Pals", "followed", False)
    assert ana.delete(f"{API}/{entity['id']}").status_code == 200
    assert ana.get(f"{API}/{entity['id']}").status_code == 404


def test_bad_input_is_422_and_writes_nothing(mastodon):
    ana = mastodon("ana")
    for body in (
        {},
        {"title": ""},
        {"title": "x" * 101},
        {"title": "ok", "replies_policy": "all"},
        {"title": "ok", "exclusive": "maybe"},
    ):
        response = ana.post(API, body)
        assert response.status_code == 422, body
        assert response.json()["error"]
    assert not List.objects.exists()
    lst = ana.post(API, {"title": "Kept"}).json()
    assert ana.put(f"{API}/{lst['id']}", {"title": "New", "replies_policy": "all"}).status_code == 422
    assert ana.get(f"{API}/{lst['id']}").json()["title"] == "Kept"


def test_someone_elses_list_is_404_and_untouched(mastodon):
    ana, eve = mastodon("ana"), mastodon("eve")
    lst = ana.post(API, {"title": "Mine"}).json()
    for response in (
        eve.get(f"{API}/{lst['id']}"),
        eve.put(f"{API}/{lst['id']}", {"title": "Theirs"}),
        eve.delete(f"{API}/{lst['id']}"),
        eve.get(f"{API}/{lst['id']}/accounts"),
        eve.post(f"{API}/{lst['id']}/accounts", {"account_ids": [str(ana.account.id)]}),
    ):
        assert response.status_code == 404
    assert List.objects.get().title == "Mine" and not ListMember.objects.exists()


def test_members_must_be_followed_and_are_listed_with_paging(mastodon):
    ana, bo, cy, di = mastodon("ana"), mastodon("bo"), mastodon("cy"), mastodon("di")
    lst = ana.post(API, {"title": "People"}).json()
    members = f"{API}/{lst['id']}/accounts"
    refused = ana.form("post", members, {"account_ids[]": [str(bo.account.id)]})
    assert refused.status_code == 422 and "followed" in refused.json()["error"]
    assert not ListMember.objects.exists()
    for other in (bo, cy, di):
        follow_account(ana.account, other.account)
    assert (
        ana.form("post", members, {"account_ids[]": [str(bo.account.id), str(cy.account.id)]}).status_code
        == 200
    )
    assert ana.post(members, {"account_ids": [str(di.account.id)]}).status_code == 200
    listed = ana.get(members)
    assert_shape("Account", listed.json())
    assert [a["id"] for a in listed.json()] == [str(di.account.id), str(cy.account.id), str(bo.account.id)]
    page = ana.get(members, limit=2)
    assert len(page.json()) == 2 and 'rel="next"' in page["Link"]
    assert len(ana.get(members, limit=0).json()) == 3
    assert (
        ana.client.delete(
            members, f"account_ids[]={cy.account.id}", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 200
    )
    assert [a["id"] for a in ana.get(members).json()] == [str(di.account.id), str(bo.account.id)]
    assert ana.post(members, {"account_ids": ["999"]}).status_code == 404
    assert ana.post(members, {}).status_code == 422


def test_the_lists_holding_an_account(mastodon):
    ana, bo = mastodon("ana"), mastodon("bo")
    follow_account(ana.account, bo.account)
    first = ana.post(API, {"title": "A"}).json()
    ana.post(API, {"title": "B"})
    ana.post(f"{API}/{first['id']}/accounts", {"account_ids": [str(bo.account.id)]})
    holding = ana.get(f"/api/v1/accounts/{bo.account.id}/lists")
    assert holding.status_code == 200 and [x["id"] for x in holding.json()] == [first["id"]]
    assert mastodon("bo").get(f"/api/v1/accounts/{bo.account.id}/lists").json() == []
    assert ana.get("/api/v1/accounts/123/lists").status_code == 404


def test_scopes(mastodon, anon):
    reader = mastodon("ana", scopes="read:lists")
    assert reader.get(API).status_code == 200
    assert reader.post(API, {"title": "No"}).status_code == 403
    assert mastodon("ana", scopes="write:lists").get(API).status_code == 403
    assert anon.get(API).status_code == 401
    assert not List.objects.exists()
