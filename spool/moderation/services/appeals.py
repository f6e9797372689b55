"""Appeals: the person an action fell on may appeal it once; a moderator upholds or reverses it."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from spool.core.errors import Conflict, Forbidden, NotFound, ValidationError
from spool.core.events import publish
from spool.identities.models import Account
from spool.moderation import audit
from spool.moderation.events import ModerationNotice
from spool.moderation.models import MAX_COMMENT, MAX_NOTE, ActionKind, Appeal, AppealStatus, RoleName
from spool.moderation.notices import access_notice
from spool.moderation.roles import check_moderator
from spool.moderation.services._common import check_note
from spool.moderation.services.actions import reverse_action
from spool.moderation.snapshots import label

DECISIONS = ("uphold", "reverse")


def file_appeal(account: Account, action_id: Any, text: Any) -> Appeal:
    """Appeal an action that fell on ``account`` — also while suspended (the suspended-login page files it
    with a signed token standing in for the session). One appeal per action (``Conflict`` for a second),
    none against a reversed action; ``text`` 1 to 1,000 characters. Appends an ``appeal`` audit entry."""
    action = access_notice(account, action_id)
    text = check_note(text, field="text", what="appeal", limit=MAX_COMMENT, required=True)
    if action.reversed:
        raise Conflict("This decision was already reversed.", code="already_reversed")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(action=action, account=account, text=text)
            audit.record(
                account,
                "appeal",
                action.target_type,
                action.target_id,
                target_label=label(action.target_type, action.snapshot),
                note=text,
                action_id=str(action.pk),
            )
    except IntegrityError:
        raise Conflict("You already appealed this decision.", code="already_appealed") from None
    return appeal


def decide_appeal(moderator: Account, appeal_id: Any, decision: Any, note: Any = "") -> Appeal:
    """Uphold or reverse the action an open appeal is about, with a note to the person. The moderator who
    took the action may not decide its appeal, and appeals of suspensions are for admins (``Forbidden``;
    admins may decide any). Reversing undoes the action (:func:`reverse_action`). Appends an
    ``appeal_upheld``/``appeal_reversed`` audit entry and publishes ``ModerationNotice``."""
    role = check_moderator(moderator)
    if decision not in DECISIONS:
        raise ValidationError("Decide uphold or reverse.", code="invalid_decision", field="decision")
    note = check_note(note, field="note", what="note", limit=MAX_NOTE)
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("action")
            .filter(pk=_id(appeal_id))
            .first()
        )
        if appeal is None:
            raise NotFound("Not found.")
        if appeal.status != AppealStatus.OPEN:
            raise Conflict("This appeal was already decided.", code="already_decided")
        action = appeal.action
        if role != RoleName.ADMIN:
            if action.moderator_id == moderator.pk:
                raise Forbidden(
                    "Another moderator decides appeals of your own decisions.", code="own_decision"
                )
            if action.kind == ActionKind.SUSPEND:
                raise Forbidden("Only admins decide appeals of suspensions.", code="admin_only")
        reverse = decision == "reverse"
        appeal.status = AppealStatus.REVERSED if reverse else AppealStatus.UPHELD
        appeal.decided_at = timezone.now()
        appeal.decided_by = moderator
        appeal.decision_note = note
        appeal.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        if reverse:
            reverse_action(moderator, action, note)
        audit.record(
            moderator,
            f"appeal_{appeal.status}",
            action.target_type,
            action.target_id,
            target_label=label(action.target_type, action.snapshot),
            note=note,
            action_id=str(action.pk),
        )
        if action.account_id:
            publish(ModerationNotice(account_id=action.account_id, action_id=action.pk))
    return appeal


def _id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound("Not found.") from None
