"""Instance-level policy on other servers, as admins manage it: block (refuse everything), limit (silence:
see :mod:`spool.identities.servers`) and allow (the allowlist, enforced when
``SPOOL.federation_allowlist_mode`` is on). Operators set defaults in the environment
(``SPOOL_FEDERATION_BLOCKED_DOMAINS``, ``…_SILENCED_DOMAINS``, ``…_ALLOWED_DOMAINS``); those show here as
fixed rows. Every change is written to the moderation audit log in the same transaction.

Enforcement lives elsewhere, each at one chokepoint: :func:`spool.federation.policy.is_blocked_domain` for
blocks and the allowlist, ``PostQuerySet.open_reach``, ``follow_account`` and the mention notifications for
limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db import transaction

from spool.core.errors import Forbidden, NotFound, ValidationError
from spool.federation.links import accounts_on_server, end_links
from spool.federation.models import AllowedServer, DomainBlock
from spool.identities.models import Account, LimitedServer
from spool.moderation import audit
from spool.moderation.models import RoleName
from spool.moderation.roles import check_moderator

Action = Literal["block", "limit", "allow"]
ACTIONS: tuple[Action, ...] = ("block", "limit", "allow")
BLOCKS: tuple[Action, ...] = ("block", "limit")  # the blocks, strictest first
_MODELS: dict[Action, type[DomainBlock] | type[LimitedServer] | type[AllowedServer]] = {
    "block": DomainBlock,
    "limit": LimitedServer,
    "allow": AllowedServer,
}
_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*(?::\d{1,5})?$"
)
AUDIT_TARGET = "server"


@dataclass(frozen=True)
class ServerRule:
    domain: str
    action: Action
    reason: str
    created_at: datetime | None  # None for a default from the environment
    from_settings: bool
    id: int | None = None  # the stored row's ID (None for a default from the environment)


class AlreadyBlocked(ValidationError):
    """The server is already under the same or a stricter block, ``existing``."""

    def __init__(self, existing: ServerRule) -> None:
        state = "blocked" if existing.action == "block" else "limited"
        super().__init__(f"{existing.domain} is already {state}.", code="already_blocked", field="domain")
        self.existing = existing


def clean_server_name(value: str) -> str:
    """A server's name as accounts carry it: lower-case host, with a port when not the default. Takes
    what people paste (``https://x.example/``, ``@user@x.example``) too; 422 ``invalid_domain`` otherwise."""
    name = (value or "").strip().lower()
    name = re.sub(r"^[a-z]+://", "", name).split("/", 1)[0].rsplit("@", 1)[-1].strip(".")
    if not _NAME.match(name):
        raise ValidationError(
            "Give a server name such as social.example.", code="invalid_domain", field="domain"
        )
    return name


def _check_admin(actor: Account) -> None:
    if check_moderator(actor) != RoleName.ADMIN:
        raise Forbidden("Only admins change which servers Spool federates with.", code="admin_only")


def _stored(row: DomainBlock | LimitedServer | AllowedServer, kind: Action) -> ServerRule:
    return ServerRule(row.domain, kind, row.reason, row.created_at, False, row.pk)


def _action(value: str) -> Action:
    for action in ACTIONS:
        if value == action:
            return action
    raise ValidationError("Choose block, limit or allow.", code="invalid_action", field="action")


def _settings_rules() -> list[ServerRule]:
    config = settings.SPOOL
    lists: list[tuple[Action, list[str]]] = [
        ("block", config.federation_blocked_domains),
        ("limit", config.federation_silenced_domains),
        ("allow", config.federation_allowed_domains),
    ]
    return [
        ServerRule(d.strip().lower(), action, "Set by the operator", None, True)
        for action, domains in lists
        for d in domains
        if d.strip()
    ]


def server_rules() -> list[ServerRule]:
    """Every rule, from the environment and stored, grouped by action then by name."""
    stored = [
        _stored(row, action) for action, model in _MODELS.items() for row in model.objects.order_by("domain")
    ]
    order = {a: i for i, a in enumerate(ACTIONS)}
    return sorted(_settings_rules() + stored, key=lambda r: (order[r.action], r.domain))


def set_server_rule(actor: Account, domain: str, action: str, reason: str = "") -> ServerRule:
    """Block, limit or allow the server ``domain`` (idempotent: an existing rule keeps its reason).

    Checks: ``actor`` is an admin (404 for people without a role, 403 ``admin_only`` for moderators);
    ``action`` is one of :data:`ACTIONS` (422 ``invalid_action``); the name is a server name (422
    ``invalid_domain``); the reason at most 500 characters (422 ``reason_too_long``); not our own server
    (422 ``own_server``). Blocking takes effect at once for everything that arrives or leaves and for every
    read (the server's posts leave every timeline, see ``spool.identities.servers``), and ends every follow
    and pending request between local people and the server's accounts, both ways, with the counts updated
    (nothing is sent to the blocked server about it); limiting takes effect at once for every read. Records
    ``server.<action>`` in the audit log."""
    _check_admin(actor)
    kind = _action(action)
    name = clean_server_name(domain)
    if name == settings.SPOOL.domain.lower():
        raise ValidationError("That is this server.", code="own_server", field="domain")
    return _store(actor, name, kind, _clean_reason(reason) or "")


def _clean_reason(reason: str | None) -> str | None:
    """``reason`` stripped (``None`` stays ``None``); 422 ``reason_too_long`` past 500 characters."""
    if reason is None:
        return None
    reason = reason.strip()
    if len(reason) > 500:
        raise ValidationError("Keep the reason under 500 characters.", code="reason_too_long", field="reason")
    return reason


def _store(
    actor: Account, name: str, kind: Action, reason: str, keep: ServerRule | None = None
) -> ServerRule:
    """Store the rule ``kind`` for the server ``name`` (an existing one is returned as it is) and audit it;
    with ``keep``, as that rule's successor: same ID and creation time. Blocking ends the links."""
    model = _MODELS[kind]
    with transaction.atomic():
        if keep is None:
            row, created = model.objects.get_or_create(domain=name, defaults={"reason": reason})
        else:
            model.objects.filter(domain=name).delete()  # a duplicate rule of that kind gives way
            row, created = model.objects.create(id=keep.id, domain=name, reason=reason), True
            if keep.created_at is not None:  # auto_now_add set it to now
                model.objects.filter(pk=row.pk).update(created_at=keep.created_at)
                row.created_at = keep.created_at
        if created:
            audit.record(actor, f"server.{kind}", AUDIT_TARGET, row.pk, target_label=name, note=reason)
        if kind == "block":
            # After the block row, so the Undo/Reject the ended links would send is refused for the server.
            end_links(Account.objects.local(), accounts_on_server(name))
    return _stored(row, kind)


def block_server(actor: Account, domain: str, action: str, reason: str | None = None) -> ServerRule:
    """Block or limit (``action``, one of :data:`BLOCKS`) the server ``domain``: a new rule when it has no
    block, its limit raised to a block (same ID, see :func:`change_server_rule`) when it is limited and
    ``action`` is ``block``; :class:`AlreadyBlocked` (422 ``already_blocked``) when it is already under
    the same or a stricter block. ``reason`` ``None`` keeps a raised rule's reason. Same checks as
    :func:`set_server_rule`."""
    _check_admin(actor)
    kind = _action(action)
    if kind not in BLOCKS:
        raise ValidationError("Choose block or limit.", code="invalid_action", field="action")
    name = clean_server_name(domain)
    with transaction.atomic():
        existing = rule_for_server(name, BLOCKS)
        if existing is None or existing.id is None:
            return set_server_rule(actor, name, kind, reason or "")
        if BLOCKS.index(existing.action) <= BLOCKS.index(kind):
            raise AlreadyBlocked(existing)
        return change_server_rule(actor, existing.id, kind, reason)


def lift_server_rule(actor: Account, domain: str, action: str) -> bool:
    """Remove a stored rule; returns whether there was one. Same checks as :func:`set_server_rule`
    (defaults from the environment cannot be lifted here). Records ``server.un<action>``."""
    _check_admin(actor)
    kind = _action(action)
    name = clean_server_name(domain)
    model = _MODELS[kind]
    with transaction.atomic():
        row = model.objects.filter(domain=name).first()
        if row is None:
            return False
        row_id = row.pk
        row.delete()
        audit.record(actor, f"server.un{kind}", AUDIT_TARGET, row_id, target_label=name)
    return True


def stored_rules(
    actor: Account,
    actions: tuple[Action, ...],
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = 100,
    oldest_first: bool = False,
) -> list[ServerRule]:
    """Stored rules of ``actions`` by ID (newest first; the ``limit`` oldest after ``after`` when
    ``oldest_first``), for admins and moderators (``NotFound`` for everyone else). Defaults from the
    environment have no ID and are not listed here (:func:`server_rules` shows them)."""
    check_moderator(actor)
    found: list[ServerRule] = []
    for kind in actions:
        rows = _MODELS[kind].objects.all()
        if before is not None:
            rows = rows.filter(pk__lt=before)
        if after is not None:
            rows = rows.filter(pk__gt=after)
        found += [_stored(row, kind) for row in rows.order_by("pk" if oldest_first else "-pk")[:limit]]
    found.sort(key=lambda rule: rule.id or 0, reverse=not oldest_first)
    return found[:limit]


def stored_rule(actor: Account, rule_id: int, actions: tuple[Action, ...]) -> ServerRule:
    """The stored rule ``rule_id`` among ``actions``, for admins and moderators; ``NotFound`` otherwise."""
    check_moderator(actor)
    for kind in actions:
        row = _MODELS[kind].objects.filter(pk=rule_id).first()
        if row is not None:
            return _stored(row, kind)
    raise NotFound("Record not found")


def rule_for_server(domain: str, actions: tuple[Action, ...]) -> ServerRule | None:
    """The stored rule of one of ``actions`` for the server named ``domain`` (already clean), the first
    action first; ``None`` when there is none."""
    for kind in actions:
        row = _MODELS[kind].objects.filter(domain=domain).first()
        if row is not None:
            return _stored(row, kind)
    return None


def change_server_rule(actor: Account, rule_id: int, action: str, reason: str | None = None) -> ServerRule:
    """Change the stored rule ``rule_id`` in place: its reason (``None`` keeps it) and its action, keeping
    its ID and creation time (as Mastodon keeps a domain block's ID when its severity changes). The same
    action updates the reason (audit ``server.change``); another action moves the rule to the new kind
    (audit ``server.un<old>`` and ``server.<new>``; blocking ends the links with the server, as
    :func:`set_server_rule` does). Same checks as :func:`set_server_rule`; ``NotFound`` for a missing
    rule."""
    _check_admin(actor)
    kind = _action(action)
    clean_reason = _clean_reason(reason)
    with transaction.atomic():
        current = stored_rule(actor, rule_id, ACTIONS)
        if current.action == kind:
            if clean_reason is None or clean_reason == current.reason:
                return current
            row = _MODELS[kind].objects.select_for_update().get(pk=rule_id)
            row.reason = clean_reason
            row.save(update_fields=["reason"])
            audit.record(
                actor, "server.change", AUDIT_TARGET, row.pk, target_label=row.domain, note=clean_reason
            )
            return _stored(row, kind)
        _MODELS[current.action].objects.filter(pk=rule_id).delete()
        audit.record(actor, f"server.un{current.action}", AUDIT_TARGET, rule_id, target_label=current.domain)
        return _store(
            actor, current.domain, kind, current.reason if clean_reason is None else clean_reason, current
        )


def lift_rule_by_id(actor: Account, rule_id: int, actions: tuple[Action, ...]) -> ServerRule:
    """Lift the stored rule ``rule_id`` among ``actions`` (as :func:`lift_server_rule`); returns it.
    ``NotFound`` for a missing rule."""
    _check_admin(actor)
    with transaction.atomic():
        rule = stored_rule(actor, rule_id, actions)
        lift_server_rule(actor, rule.domain, rule.action)
    return rule
