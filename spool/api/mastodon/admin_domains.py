"""Mastodon's admin API for server policy: ``/api/v1/admin/domain_blocks`` and ``…/domain_allows``.

A thin layer over :mod:`spool.federation.servers` (which checks roles again and writes the audit log). Spool
keeps two kinds of block, each a Mastodon severity: ``suspend`` is a ``DomainBlock`` (everything refused, the
server's posts gone from every read) and ``silence`` a ``LimitedServer``. Mastodon's ``noop``,
``reject_media``/``reject_reports`` on a silence, ``public_comment`` and ``obfuscate`` have no Spool
counterpart (Spool publishes no list of blocked servers) and are refused with 422 ``unsupported`` rather
than stored and ignored. ``private_comment`` is the rule's reason. Allowed servers take effect while the
site runs in allowlist mode (``SPOOL_FEDERATION_ALLOWLIST_MODE``).

Admins and moderators read; only admins write (403 ``admin_only``); anyone else gets 403 ``forbidden``, as
Mastodon answers people without the permission. Defaults from the environment have no ID and are not
listed (``/moderation/servers`` shows them).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pydantic
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities.common import iso
from spool.api.mastodon.pagination import Window, link_header
from spool.api.mastodon.params import read_params, validated
from spool.core.errors import Forbidden, NotFound, ValidationError
from spool.federation import servers
from spool.federation.servers import BLOCKS, Action, ServerRule
from spool.identities.models import Account
from spool.moderation.models import RoleName
from spool.moderation.roles import role_of

router = Router(tags=["admin"])

SEVERITY_OF: dict[str, str] = {"block": "suspend", "limit": "silence"}
ACTION_OF: dict[str, Action] = {"suspend": "block", "silence": "limit"}
ALLOWS: tuple[Action, ...] = ("allow",)


class DomainBlockIn(pydantic.BaseModel):
    domain: str = ""
    severity: str | None = None
    reject_media: bool = False
    reject_reports: bool = False
    private_comment: str | None = None
    public_comment: str | None = None
    obfuscate: bool = False


class DomainAllowIn(pydantic.BaseModel):
    domain: str = ""


def render_block(rule: ServerRule) -> dict[str, Any]:
    suspended = rule.action == "block"
    return {
        "id": str(rule.id),
        "domain": rule.domain,
        "digest": hashlib.sha256(rule.domain.encode()).hexdigest(),
        "created_at": iso(rule.created_at),
        "severity": SEVERITY_OF[rule.action],
        # A suspended server's media and reports are refused with everything else it sends.
        "reject_media": suspended,
        "reject_reports": suspended,
        "private_comment": rule.reason or None,
        "public_comment": None,
        "obfuscate": False,
    }


def render_allow(rule: ServerRule) -> dict[str, Any]:
    return {"id": str(rule.id), "domain": rule.domain, "created_at": iso(rule.created_at)}


def staff(request: HttpRequest, *, write: bool = False) -> Account:
    """The caller, when they are an admin or (for reads) a moderator."""
    actor = me(request)
    role = role_of(actor)
    if role is None:
        raise Forbidden("This action is not allowed", code="forbidden")
    if write and role != RoleName.ADMIN:
        raise Forbidden("Only admins change which servers Spool federates with.", code="admin_only")
    return actor


def _rule_id(raw: str) -> int:
    if not raw.isdigit():
        raise NotFound("Record not found")
    return int(raw)


def _page(
    request: HttpRequest, response: HttpResponse, actor: Account, actions: tuple[Action, ...]
) -> list[ServerRule]:
    window = Window.from_request(request, default=100, cap=200)
    after = window.min_id if window.min_id is not None else window.since_id
    rules = servers.stored_rules(
        actor,
        actions,
        before=window.max_id,
        after=after,
        limit=window.limit,
        oldest_first=window.min_id is not None,
    )
    if window.min_id is not None:
        rules.reverse()
    link_header(request, response, [rule.id or 0 for rule in rules])
    return rules


def _block_input(request: HttpRequest) -> DomainBlockIn:
    data = validated(DomainBlockIn, read_params(request))
    if data.severity is not None and data.severity not in ACTION_OF:
        code = "unsupported" if data.severity == "noop" else "invalid"
        raise ValidationError(
            "Validation failed: severity must be silence or suspend", code=code, field="severity"
        )
    if data.severity == "silence" and (data.reject_media or data.reject_reports):
        raise ValidationError(
            "Validation failed: Spool cannot reject only media or reports from a server",
            code="unsupported",
            field="reject_media" if data.reject_media else "reject_reports",
        )
    if (data.public_comment or "").strip() or data.obfuscate:
        raise ValidationError(
            "Validation failed: Spool publishes no list of blocked servers",
            code="unsupported",
            field="public_comment" if (data.public_comment or "").strip() else "obfuscate",
        )
    return data


@router.get("/v1/admin/domain_blocks", auth=scoped("admin:read:domain_blocks"))
def list_domain_blocks(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    """Suspended and silenced servers, newest first (``limit`` 100, at most 200; paged by ID)."""
    return [render_block(rule) for rule in _page(request, response, staff(request), BLOCKS)]


@router.get("/v1/admin/domain_blocks/{rule_id}", auth=scoped("admin:read:domain_blocks"))
def get_domain_block(request: HttpRequest, rule_id: str) -> dict[str, Any]:
    return render_block(servers.stored_rule(staff(request), _rule_id(rule_id), BLOCKS))


@router.post("/v1/admin/domain_blocks", auth=scoped("admin:write:domain_blocks"))
def create_domain_block(request: HttpRequest) -> Any:
    """Block (``suspend``) or limit (``silence``, the default as in Mastodon) a server, as
    :func:`spool.federation.servers.block_server` decides: a server already under the same or a stricter
    rule is 422 ``already_blocked`` with ``existing_domain_block``; a silenced one now suspended has its
    rule raised to a suspension, keeping its ID."""
    actor = staff(request, write=True)
    data = _block_input(request)
    try:
        rule = servers.block_server(
            actor, data.domain, ACTION_OF[data.severity or "silence"], data.private_comment
        )
    except servers.AlreadyBlocked as taken:
        existing = taken.existing
        body = {
            "error": f"Validation failed: {existing.domain} is already {SEVERITY_OF[existing.action]}ed",
            "code": taken.code,
            "existing_domain_block": render_block(existing),
        }
        return JsonResponse(body, status=taken.status)
    return render_block(rule)


@router.put("/v1/admin/domain_blocks/{rule_id}", auth=scoped("admin:write:domain_blocks"))
def update_domain_block(request: HttpRequest, rule_id: str) -> dict[str, Any]:
    """Change ``severity`` and/or ``private_comment`` in place: the rule keeps its ID, as in Mastodon."""
    actor = staff(request, write=True)
    data = _block_input(request)
    current = servers.stored_rule(actor, _rule_id(rule_id), BLOCKS)
    action = ACTION_OF[data.severity] if data.severity else current.action
    return render_block(servers.change_server_rule(actor, int(current.id or 0), action, data.private_comment))


@router.delete("/v1/admin/domain_blocks/{rule_id}", auth=scoped("admin:write:domain_blocks"))
def delete_domain_block(request: HttpRequest, rule_id: str) -> dict[str, Any]:
    servers.lift_rule_by_id(staff(request, write=True), _rule_id(rule_id), BLOCKS)
    return {}


@router.get("/v1/admin/domain_allows", auth=scoped("admin:read:domain_allows"))
def list_domain_allows(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    """Allowed servers, newest first (``limit`` 100, at most 200; paged by ID)."""
    return [render_allow(rule) for rule in _page(request, response, staff(request), ALLOWS)]


@router.get("/v1/admin/domain_allows/{rule_id}", auth=scoped("admin:read:domain_allows"))
def get_domain_allow(request: HttpRequest, rule_id: str) -> dict[str, Any]:
    return render_allow(servers.stored_rule(staff(request), _rule_id(rule_id), ALLOWS))


@router.post("/v1/admin/domain_allows", auth=scoped("admin:write:domain_allows"))
def create_domain_allow(request: HttpRequest) -> dict[str, Any]:
    """Allow a server; one already allowed is returned as it is (as Mastodon does)."""
    actor = staff(request, write=True)
    data = validated(DomainAllowIn, read_params(request))
    return render_allow(servers.set_server_rule(actor, data.domain, "allow"))


@router.delete("/v1/admin/domain_allows/{rule_id}", auth=scoped("admin:write:domain_allows"))
def delete_domain_allow(request: HttpRequest, rule_id: str) -> dict[str, Any]:
    servers.lift_rule_by_id(staff(request, write=True), _rule_id(rule_id), ALLOWS)
    return {}
