"""Mastodon's admin API for server policy (``/api/v1/admin/domain_blocks``, ``/api/v1/admin/domain_allows``):
Mastodon's shapes, admin scopes, admins write and moderators read, audit entries, 4xx ``{"error", "code"}``
refusals that change nothing, and the rules taking effect (a suspended server's posts leave reads)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from spool.federation.models import AllowedServer, DomainBlock
from spool.identities.models import LimitedServer
from spool.identities.services.remote import upsert_remote_account
from spool.moderation.models import AuditEntry
from spool.posts.models import Post
from spool.posts.services.remote import receive_remote_post
from tests.api.mastodon.conftest import Caller
from tests.people import grant_role

BLOCKS = "/api/v1/admin/domain_blocks"
ALLOWS = "/api/v1/admin/domain_allows"
ADMIN_SCOPES = "read write admin:read admin:write"
BLOCK_KEYS = {
    "id", "domain", "digest", "created_at", "severity", "reject_media", "reject_reports", "private_comment",
    "public_comment", "obfuscate",
}  # fmt: skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(mastodon: Callable[..., Caller]) -> Caller:
    caller = mastodon("boss", scopes=ADMIN_SCOPES)
    grant_role("boss", "admin")
    return caller


@pytest.fixture
def mod(mastodon: Callable[..., Caller]) -> Caller:
    caller = mastodon("mod", scopes=ADMIN_SCOPES)
    grant_role("mod", "moderator")
    return caller


def _nothing_changed() -> None:
    assert not DomainBlock.objects.exists() and not LimitedServer.objects.exists()
    assert not AllowedServer.objects.exists()
    assert not AuditEntry.objects.filter(verb__startswith="server.").exists()


def test_an_admin_suspends_a_server_and_its_posts_leave_every_read(boss: Caller, anon: Any) -> None:
    far = upsert_remote_account(handle="far", domain="bad.example")
    post = receive_remote_post(far, text="from a bad place")
    assert Post.objects.visible_to(None).filter(pk=post.pk).exists()
    made = boss.post(
        BLOCKS, {"domain": "https://Bad.Example/about", "severity": "suspend", "private_comment": "spam"}
    )
    assert made.status_code == 200, made.content
    body = made.json()
    assert set(body) == BLOCK_KEYS
    assert body["domain"] == "bad.example" and body["severity"] == "suspend"
    assert body["digest"] == hashlib.sha256(b"bad.example").hexdigest()
    assert body["private_comment"] == "spam" and body["public_comment"] is None
    assert body["created_at"].endswith("Z")
    assert DomainBlock.objects.get(domain="bad.example").pk == int(body["id"])
    assert (
        AuditEntry.objects.filter(verb="server.block", target_label="bad.example", note="spam").count() == 1
    )
    assert not Post.objects.visible_to(None).filter(pk=post.pk).exists()
    assert anon.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert boss.get(f"{BLOCKS}/{body['id']}").json() == body


def test_silence_is_the_default_and_lists_page_newest_first(boss: Caller) -> None:
    ids = [boss.post(BLOCKS, {"domain": f"s{i}.example"}).json()["id"] for i in range(3)]
    assert LimitedServer.objects.count() == 3 and not DomainBlock.objects.exists()
    listed = boss.get(BLOCKS)
    assert [b["id"] for b in listed.json()] == ids[::-1]
    assert {b["severity"] for b in listed.json()} == {"silence"}
    page = boss.get(BLOCKS, limit=2)
    assert [b["id"] for b in page.json()] == ids[:0:-1] and 'rel="next"' in page["Link"]
    older = boss.get(BLOCKS, limit=2, max_id=ids[1])
    assert [b["id"] for b in older.json()] == ids[:1]
    newer = boss.get(BLOCKS, limit=1, min_id=ids[0])
    assert [b["id"] for b in newer.json()] == ids[1:2]


def test_an_existing_block_is_422_and_a_silence_is_raised_in_place(boss: Caller) -> None:
    silenced = boss.post(BLOCKS, {"domain": "loud.example", "severity": "silence"}).json()
    again = boss.post(BLOCKS, {"domain": "loud.example", "severity": "silence"})
    assert again.status_code == 422 and again.json()["code"] == "already_blocked"
    assert again.json()["existing_domain_block"] == silenced
    raised = boss.post(BLOCKS, {"domain": "loud.example", "severity": "suspend"})
    assert raised.status_code == 200 and raised.json()["severity"] == "suspend"
    assert raised.json()["id"] == silenced["id"] and raised.json()["created_at"] == silenced["created_at"]
    assert not LimitedServer.objects.exists() and DomainBlock.objects.filter(domain="loud.example").exists()
    lower = boss.post(BLOCKS, {"domain": "loud.example", "severity": "silence"})
    assert lower.status_code == 422 and lower.json()["existing_domain_block"]["severity"] == "suspend"
    assert boss.get(f"{BLOCKS}/{silenced['id']}").json()["severity"] == "suspend"


def test_update_changes_the_comment_and_the_severity_in_place_with_audit_entries(boss: Caller) -> None:
    made = boss.post(
        BLOCKS, {"domain": "x.example", "severity": "silence", "private_comment": "first"}
    ).json()
    changed = boss.put(f"{BLOCKS}/{made['id']}", {"private_comment": "second"})
    assert changed.status_code == 200 and changed.json()["id"] == made["id"]
    assert changed.json()["private_comment"] == "second" and changed.json()["severity"] == "silence"
    assert AuditEntry.objects.filter(verb="server.change", note="second").count() == 1
    raised = boss.put(f"{BLOCKS}/{made['id']}", {"severity": "suspend"}).json()
    assert raised["severity"] == "suspend" and raised["private_comment"] == "second"
    assert raised["id"] == made["id"] and raised["created_at"] == made["created_at"]
    assert boss.get(f"{BLOCKS}/{made['id']}").json() == raised
    assert [b["id"] for b in boss.get(BLOCKS).json()] == [made["id"]]
    assert DomainBlock.objects.get(domain="x.example").reason == "second"
    lowered = boss.put(f"{BLOCKS}/{made['id']}", {"severity": "silence"}).json()
    assert lowered["id"] == made["id"] and lowered["severity"] == "silence"
    assert LimitedServer.objects.filter(pk=int(made["id"])).exists() and not DomainBlock.objects.exists()
    for verb in ("server.unlimit", "server.block", "server.unblock"):
        assert AuditEntry.objects.filter(verb=verb, target_label="x.example").count() == 1
    assert AuditEntry.objects.filter(verb="server.limit", target_label="x.example").count() == 2
    assert boss.put(f"{BLOCKS}/123456789", {"severity": "silence"}).status_code == 404


def test_delete_lifts_the_block_with_an_audit_entry(boss: Caller) -> None:
    made = boss.post(BLOCKS, {"domain": "gone.example", "severity": "suspend"}).json()
    deleted = boss.delete(f"{BLOCKS}/{made['id']}")
    assert deleted.status_code == 200 and deleted.json() == {}
    assert not DomainBlock.objects.exists()
    assert AuditEntry.objects.filter(verb="server.unblock", target_label="gone.example").count() == 1
    missing = boss.delete(f"{BLOCKS}/{made['id']}")
    assert missing.status_code == 404 and set(missing.json()) >= {"error", "code"}
    assert boss.get(f"{BLOCKS}/not-an-id").status_code == 404


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"domain": "not a server", "severity": "suspend"}, "invalid_domain"),
        ({"domain": "", "severity": "suspend"}, "invalid_domain"),
        ({"domain": "ok.example", "severity": "nuke"}, "invalid"),
        ({"domain": "ok.example", "severity": "noop"}, "unsupported"),
        ({"domain": "ok.example", "severity": "silence", "reject_media": True}, "unsupported"),
        ({"domain": "ok.example", "public_comment": "we say why"}, "unsupported"),
        ({"domain": "ok.example", "obfuscate": True}, "unsupported"),
        ({"domain": "ok.example", "private_comment": "x" * 501}, "reason_too_long"),
        ({"domain": "testserver", "severity": "suspend"}, "own_server"),
    ],
)
def test_bad_input_is_422_and_changes_nothing(
    boss: Caller, settings: Any, monkeypatch: Any, data: dict[str, Any], code: str
) -> None:
    monkeypatch.setattr(settings.SPOOL, "domain", "testserver")
    response = boss.post(BLOCKS, data)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code and response.json()["error"]
    _nothing_changed()


def test_moderators_read_but_only_admins_write(
    boss: Caller, mod: Caller, mastodon: Callable[..., Caller]
) -> None:
    made = boss.post(BLOCKS, {"domain": "seen.example"}).json()
    allowed = boss.post(ALLOWS, {"domain": "friend.example"}).json()
    assert mod.get(BLOCKS).json() == [made]
    assert mod.get(f"{ALLOWS}/{allowed['id']}").json() == allowed
    entries = AuditEntry.objects.count()
    for method, path, data in (
        ("post", BLOCKS, {"domain": "other.example"}),
        ("put", f"{BLOCKS}/{made['id']}", {"severity": "suspend"}),
        ("post", ALLOWS, {"domain": "other.example"}),
    ):
        refused = getattr(mod, method)(path, data)
        assert refused.status_code == 403 and refused.json()["code"] == "admin_only", path
    for path in (f"{BLOCKS}/{made['id']}", f"{ALLOWS}/{allowed['id']}"):
        assert mod.delete(path).status_code == 403
    nobody = mastodon("nobody", scopes=ADMIN_SCOPES)
    for path in (BLOCKS, f"{BLOCKS}/{made['id']}", ALLOWS):
        refused = nobody.get(path)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert nobody.post(BLOCKS, {"domain": "other.example"}).status_code == 403
    assert AuditEntry.objects.count() == entries
    assert LimitedServer.objects.count() == 1 and AllowedServer.objects.count() == 1


def test_admin_scopes_are_needed(mastodon: Callable[..., Caller]) -> None:
    boss = mastodon("boss", scopes="read write")
    grant_role("boss", "admin")
    for response in (boss.get(BLOCKS), boss.post(BLOCKS, {"domain": "a.example"}), boss.get(ALLOWS)):
        assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
    reader = mastodon("boss", scopes="admin:read:domain_blocks")
    assert reader.get(BLOCKS).status_code == 200
    assert reader.get(ALLOWS).status_code == 403
    assert reader.post(BLOCKS, {"domain": "a.example"}).status_code == 403
    writer = mastodon("boss", scopes="admin:write:domain_allows")
    assert writer.post(ALLOWS, {"domain": "a.example"}).status_code == 200
    assert mastodon(None, scopes=ADMIN_SCOPES).get(BLOCKS).status_code == 422  # an app token is no one
    assert list(AllowedServer.objects.values_list("domain", flat=True)) == ["a.example"]


def test_domain_allows_create_list_show_and_delete(boss: Caller) -> None:
    made = boss.form("post", ALLOWS, {"domain": "Friend.Example"})
    assert made.status_code == 200
    body = made.json()
    assert set(body) == {"id", "domain", "created_at"} and body["domain"] == "friend.example"
    assert boss.post(ALLOWS, {"domain": "friend.example"}).json() == body  # already allowed: the same one
    assert AuditEntry.objects.filter(verb="server.allow", target_label="friend.example").count() == 1
    assert boss.get(ALLOWS).json() == [body]
    assert boss.get(f"{ALLOWS}/{body['id']}").json() == body
    assert boss.delete(f"{ALLOWS}/{body['id']}").json() == {}
    assert not AllowedServer.objects.exists()
    assert AuditEntry.objects.filter(verb="server.unallow", target_label="friend.example").count() == 1
    assert boss.get(f"{ALLOWS}/{body['id']}").status_code == 404
    bad = boss.post(ALLOWS, {"domain": "no way"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_domain"


def test_an_allow_is_not_a_block_and_a_block_is_not_an_allow(boss: Caller) -> None:
    block = boss.post(BLOCKS, {"domain": "b.example", "severity": "suspend"}).json()
    allow = boss.post(ALLOWS, {"domain": "a.example"}).json()
    assert boss.get(f"{ALLOWS}/{block['id']}").status_code == 404
    assert boss.get(f"{BLOCKS}/{allow['id']}").status_code == 404
    assert boss.delete(f"{BLOCKS}/{allow['id']}").status_code == 404
    assert AllowedServer.objects.exists() and DomainBlock.objects.exists()


def test_a_reason_of_500_characters_is_kept_and_501_refused_on_change(boss: Caller) -> None:
    made = boss.post(BLOCKS, {"domain": "edge.example", "private_comment": "x" * 500})
    assert made.status_code == 200 and made.json()["private_comment"] == "x" * 500
    refused = boss.put(f"{BLOCKS}/{made.json()['id']}", {"severity": "suspend", "private_comment": "y" * 501})
    assert refused.status_code == 422 and refused.json()["code"] == "reason_too_long"
    kept = boss.get(f"{BLOCKS}/{made.json()['id']}").json()
    assert kept["severity"] == "silence" and kept["private_comment"] == "x" * 500
