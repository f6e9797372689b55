"""Lists: validation, ownership, members only from followed accounts, and unfollowing leaves lists."""

from __future__ import annotations

import pytest

from spool.core.errors import NotFound, ValidationError
from spool.feeds import lists as svc
from spool.feeds.models import List, ListMember
from spool.identities.services import block_account, follow_account, unfollow_account


def test_a_list_is_created_changed_and_deleted(people):
    ana = people("ana")
    lst = svc.create_list(ana, title="  Friends ", replies_policy="followed", exclusive=True)
    assert (lst.title, lst.replies_policy, lst.exclusive) == ("Friends", "followed", True)
    svc.update_list(ana, lst.id, title="Close friends", exclusive=False)
    lst.refresh_from_db()
    assert (lst.title, lst.replies_policy, lst.exclusive) == ("Close friends", "followed", False)
    svc.delete_list(ana, lst.id)
    assert not List.objects.filter(pk=lst.pk).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 101},
        {"title": "bad\x00title"},
        {"title": 5},
        {"title": "ok", "replies_policy": "everyone"},
        {"title": "ok", "exclusive": "yes"},
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(people, fields):
    ana = people("ana")
    with pytest.raises(ValidationError):
        svc.create_list(ana, **fields)
    assert not List.objects.exists()
    lst = svc.create_list(ana, title="Kept")
    change = {**fields, "title": "Changed"} if fields["title"] == "ok" else fields
    with pytest.raises(ValidationError):
        svc.update_list(ana, lst.id, **change)
    lst.refresh_from_db()
    assert lst.title == "Kept"


def test_someone_elses_list_is_not_found(people):
    ana, bo = people("ana"), people("bo")
    lst = svc.create_list(ana, title="Mine")
    for action in (
        lambda: svc.access_list(bo, lst.id),
        lambda: svc.update_list(bo, lst.id, title="Theirs"),
        lambda: svc.delete_list(bo, lst.id),
        lambda: svc.add_list_members(bo, lst.id, [ana.id]),
        lambda: svc.access_list(ana, "nonsense"),
    ):
        with pytest.raises(NotFound):
            action()
    lst.refresh_from_db()
    assert lst.title == "Mine"


def test_only_followed_accounts_can_be_added_all_or_nothing(people):
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    follow_account(ana, bo)
    lst = svc.create_list(ana, title="People")
    with pytest.raises(ValidationError) as refused:
        svc.add_list_members(ana, lst.id, [bo.id, cy.id])
    assert refused.value.code == "not_followed"
    assert not ListMember.objects.exists()
    svc.add_list_members(ana, lst.id, [bo.id, str(bo.id)])
    svc.add_list_members(ana, lst.id, [bo.id])  # already a member: nothing changes
    assert list(ListMember.objects.values_list("account_id", flat=True)) == [bo.id]
    assert [x.id for x in svc.lists_containing(ana, bo.id)] == [lst.id]


def test_hidden_missing_and_malformed_accounts_are_refused(people):
    ana, bo = people("ana"), people("bo")
    follow_account(ana, bo)
    lst = svc.create_list(ana, title="People")
    block_account(bo, ana)  # also ends ana's follow
    with pytest.raises(NotFound):
        svc.add_list_members(ana, lst.id, [bo.id])
    with pytest.raises(NotFound):
        svc.add_list_members(ana, lst.id, [123])
    with pytest.raises(ValidationError):
        svc.add_list_members(ana, lst.id, ["abc"])
    with pytest.raises(ValidationError):
        svc.add_list_members(ana, lst.id, [])
    assert not ListMember.objects.exists()


def test_unfollowing_takes_the_account_out_of_the_lists(people):
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    follow_account(ana, bo)
    follow_account(ana, cy)
    first, second = svc.create_list(ana, title="A"), svc.create_list(ana, title="B")
    svc.add_list_members(ana, first.id, [bo.id, cy.id])
    svc.add_list_members(ana, second.id, [bo.id])
    unfollow_account(ana, bo)
    assert list(ListMember.objects.values_list("account_id", flat=True)) == [cy.id]


def test_members_are_removed(people):
    ana, bo = people("ana"), people("bo")
    follow_account(ana, bo)
    lst = svc.create_list(ana, title="A")
    svc.add_list_members(ana, lst.id, [bo.id])
    svc.remove_list_members(ana, lst.id, [bo.id, 999])
    assert not ListMember.objects.exists()


def test_the_number_of_lists_is_capped(people, monkeypatch):
    ana = people("ana")
    monkeypatch.setattr(svc, "MAX_LISTS", 2)
    svc.create_list(ana, title="1")
    svc.create_list(ana, title="2")
    with pytest.raises(ValidationError):
        svc.create_list(ana, title="3")
    assert List.objects.count() == 2
