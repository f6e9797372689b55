"""Searching profiles and topics (logged-out visitors too)."""

from __future__ import annotations

from django.test import override_settings

from spool.core import remote
from spool.identities.models import Account
from spool.identities.services import block_account, follow_account
from spool.search.profiles import find_profiles, find_topics, search_profiles, search_topics


def handles(accounts):
    return [a.acct for a in accounts]


def test_handle_or_display_name_prefix_most_followed_first_exact_handle_first(people):
    ana = people("ana")
    annabel = people("annabel", display_name="Belle")
    bo = people("bo", display_name="Anatole")
    people("zed", display_name="Not Ana")
    for fan in ("f1", "f2"):
        follow_account(people(fan), bo)
    follow_account(people("f3"), annabel)
    assert handles(find_profiles(None, "an")) == ["bo", "annabel", "ana"]
    assert handles(find_profiles(None, "@ANA")) == ["ana", "bo"]  # annabel starts "ann"
    assert handles(find_profiles(ana, "an", following=True)) == []
    follow_account(ana, annabel)
    assert handles(find_profiles(ana, "an", following=True)) == ["annabel"]


def test_blocked_and_deactivated_accounts_do_not_show(people):
    ana, bob = people("ana"), people("bob")
    block_account(bob, ana)
    assert find_profiles(ana, "bo") == []
    assert handles(find_profiles(None, "bo")) == ["bob"]


def test_exact_fediverse_handle_finds_the_stored_remote_account(people):
    remote = Account.objects.create(handle="gargron", domain="mastodon.social", display_name="Eugen")
    people("gargle")
    assert handles(find_profiles(None, "@Gargron@Mastodon.Social")) == ["gargron@mastodon.social"]
    assert handles(find_profiles(None, "gargron@mastodon.social")) == [remote.acct]
    # Not stored and no resolver yet (federation registers one): nothing.
    assert find_profiles(None, "@nobody@example.net") == []
    # The prefix search finds remote accounts too.
    assert set(handles(find_profiles(None, "garg"))) == {"gargron@mastodon.social", "gargle"}


@override_settings()
def test_this_servers_own_domain_is_a_local_lookup(people, settings):
    people("ana")
    people("anabel")
    assert handles(find_profiles(None, f"@ana@{settings.SPOOL.domain}")) == ["ana"]


def test_the_remote_resolver_hook(people):
    asked = []

    def resolver(handle):  # what federation's WebFinger lookup does: fetch, store, return
        asked.append(handle)
        user, _, domain = handle.lstrip("@").partition("@")
        return Account.objects.create(handle=user, domain=domain)

    registered = remote._resolver[:]
    remote.register_remote_resolver(resolver)
    try:
        assert find_profiles(None, "@new@example.net") == []  # visitors never make the server fetch
        assert handles(find_profiles(people("ana"), "@new@example.net")) == ["new@example.net"]
        assert asked == ["new@example.net"]
    finally:
        remote._resolver[:] = registered


def test_profile_pages(people):
    for i in range(5):
        people(f"sam{i}")
    first = search_profiles(None, "sam", limit=2)
    second = search_profiles(None, "sam", limit=2, cursor=first.next_cursor)
    third = search_profiles(None, "sam", limit=2, cursor=second.next_cursor)
    assert len(first.items) == len(second.items) == 2 and len(third.items) == 1
    assert third.next_cursor is None
    assert len(set(handles(first.items + second.items + third.items))) == 5


def test_topics_by_prefix_most_used_first(people, post):
    ana = people("ana")
    post(ana, "one", topic="Cooking")
    post(ana, "two", topic="Cooking")
    post(ana, "three", topic="Cookies")
    post(ana, "four", topic="Books")
    assert [t.display for t in find_topics("#cook")] == ["Cooking", "Cookies"]
    assert find_topics("#") == []
    page = search_topics("cook", limit=1)
    assert [t.display for t in page.items] == ["Cooking"] and page.next_cursor == "1"
