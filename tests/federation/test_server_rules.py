"""The domain-block decisions in :mod:`spool.federation.servers`, called as the admin API and pages call
them: a new block, a limit raised to a block in place (same ID and creation time, links ended), a block
already as strict refused with the existing rule, and a change of severity that keeps the rule's ID."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from spool.core.errors import ValidationError
from spool.federation import servers
from spool.federation.models import DomainBlock
from spool.identities.models import Account, Follow, LimitedServer
from spool.identities.services import follow_account
from spool.identities.services.remote import upsert_remote_account
from spool.moderation.models import AuditEntry
from tests.posts.conftest import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(person: Callable[..., Person]) -> Account:
    someone = person("boss")
    call_command("grant_role", "boss", "admin")
    return Account.objects.get(pk=someone.id)


def test_a_new_block_then_a_limit_raised_in_place_ends_the_links(
    boss: Account, person: Callable[..., Person], django_capture_on_commit_callbacks: Any
) -> None:
    ana = person("ana")
    with django_capture_on_commit_callbacks(execute=True):
        far = upsert_remote_account(handle="far", domain="loud.example")
        follow_account(ana.account, far)
    limited = servers.block_server(boss, "https://Loud.Example/", "limit", "noisy")
    assert (limited.domain, limited.action, limited.reason) == ("loud.example", "limit", "noisy")
    assert Follow.objects.filter(followee=far).exists()  # a limit keeps the follows
    raised = servers.block_server(boss, "loud.example", "block")
    assert (raised.id, raised.created_at, raised.reason) == (limited.id, limited.created_at, "noisy")
    assert raised.action == "block" and not LimitedServer.objects.exists()
    assert DomainBlock.objects.get(pk=limited.id).domain == "loud.example"
    assert not Follow.objects.filter(followee=far).exists()
    verbs = list(
        AuditEntry.objects.filter(target_label="loud.example").order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == ["server.limit", "server.unlimit", "server.block"]


@pytest.mark.parametrize(("first", "again"), [("limit", "limit"), ("block", "block"), ("block", "limit")])
def test_a_block_as_strict_or_stricter_is_refused_with_the_existing_rule(
    boss: Account, first: str, again: str
) -> None:
    made = servers.block_server(boss, "x.example", first, "first")
    with pytest.raises(servers.AlreadyBlocked) as refused:
        servers.block_server(boss, "x.example", again, "second")
    assert refused.value.existing == made and refused.value.code == "already_blocked"
    assert AuditEntry.objects.filter(verb__startswith="server.").count() == 1


def test_block_server_takes_only_blocks(boss: Account) -> None:
    with pytest.raises(ValidationError) as refused:
        servers.block_server(boss, "x.example", "allow")
    assert refused.value.code == "invalid_action"
    assert not AuditEntry.objects.filter(verb__startswith="server.").exists()


def test_a_change_of_severity_keeps_the_id_both_ways(boss: Account) -> None:
    made = servers.block_server(boss, "x.example", "block", "spam")
    lowered = servers.change_server_rule(boss, made.id or 0, "limit")
    assert (lowered.id, lowered.action, lowered.reason, lowered.created_at) == (
        made.id, "limit", "spam", made.created_at
    )  # fmt: skip
    assert not DomainBlock.objects.exists() and LimitedServer.objects.get(pk=made.id).reason == "spam"
    raised = servers.change_server_rule(boss, made.id or 0, "block", "worse")
    assert (raised.id, raised.action, raised.reason) == (made.id, "block", "worse")
    assert servers.stored_rule(boss, made.id or 0, servers.BLOCKS) == raised
