"""What moderators do about a target: dismiss its reports, or act — remove, mark sensitive, limit reach,
suspend — with a note to the person affected. Each action records what it changed (``Action.undo``) so an
appeal can reverse exactly that (:func:`reverse_action`)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from spool.accounts.models import User
from spool.core.errors import Conflict, Forbidden, NotFound, ValidationError
from spool.core.events import publish
from spool.identities.models import Account
from spool.moderation import audit
from spool.moderation.events import MessagesRemoved, ModerationNotice
from spool.moderation.models import (
    MAX_NOTE,
    Action,
    ActionKind,
    Report,
    ReportStatus,
    RoleName,
    TargetType,
)
from spool.moderation.roles import check_moderator
from spool.moderation.services._common import check_note
from spool.moderation.snapshots import label, snapshot_account, snapshot_post, snapshot_topic
from spool.oauth import credentials
from spool.posts.models import ModerationState, Post, Topic

# Which actions apply to which kind of target. Suspending acts on the person responsible for the target.
ACTIONS_FOR: dict[str, tuple[str, ...]] = {
    TargetType.POST: (ActionKind.REMOVE, ActionKind.SENSITIVE, ActionKind.LIMIT, ActionKind.SUSPEND),
    TargetType.ACCOUNT: (ActionKind.SUSPEND,),
    # Removing a message hides it (and the other messages of the same report by the same sender) for every
    # member; messaging does it on ``MessagesRemoved`` and an appeal shows them again.
    TargetType.MESSAGE: (ActionKind.REMOVE, ActionKind.SUSPEND),
    TargetType.CONVERSATION: (ActionKind.SUSPEND,),
    TargetType.TOPIC: (ActionKind.LIMIT,),
}
ADMIN_ONLY = (ActionKind.SUSPEND,)


def check_target_type(target_type: Any) -> str:
    if target_type not in TargetType.values:
        raise NotFound("Not found.")
    return str(target_type)


def _latest_report(target_type: str, target_id: int) -> Report | None:
    return (
        Report.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("target_account")
        .order_by("-id")
        .first()
    )


def dismiss_reports(moderator: Account, target_type: Any, target_id: int, note: Any = "") -> int:
    """Close every open report of a target without acting on it; returns how many. A post the spam score
    held for review is published again (dismissing is approving it). ``Conflict`` when nothing is open.
    Records a ``dismiss`` audit entry."""
    check_moderator(moderator)
    target_type = check_target_type(target_type)
    note = check_note(note, field="note", what="note", limit=MAX_NOTE)
    with transaction.atomic():
        open_reports = Report.objects.select_for_update().filter(
            target_type=target_type, target_id=target_id, status=ReportStatus.OPEN
        )
        reports = list(open_reports)
        if not reports:
            raise Conflict("There are no open reports of this.", code="nothing_open")
        _resolve(reports, moderator, None)
        released = False
        if target_type == TargetType.POST:
            released = bool(
                Post.objects.filter(pk=target_id, moderation_state=ModerationState.REVIEW).update(
                    moderation_state=ModerationState.NONE
                )
            )
        audit.record(
            moderator,
            "dismiss",
            target_type,
            target_id,
            target_label=label(target_type, reports[-1].snapshot),
            note=note,
            reports=len(reports),
            released_from_review=released,
        )
    return len(reports)


def _resolve(reports: list[Report], moderator: Account, action: Action | None) -> None:
    now = timezone.now()
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        status=ReportStatus.RESOLVED, resolved_at=now, resolved_by=moderator, action=action
    )


def take_action(moderator: Account, target_type: Any, target_id: int, kind: Any, note: Any = "") -> Action:
    """Act on a reported target (or on any post, account or topic a moderator finds) and close its open
    reports.

    ``kind`` must fit the target (``ACTIONS_FOR``); suspending is for admins (``Forbidden``). The note (≤1,000
    characters) is shown to the person affected with an appeal form. ``NotFound`` when the target no longer
    exists (dismiss its reports instead); ``Conflict`` when the same action is already in effect.

    Effects: ``remove`` hides a post from everyone (``moderation_state``), or a reported message from
    every member of its conversation (with the report's other messages from the same sender);
    ``sensitive`` puts a post's text and media behind a content warning; ``limit`` leaves a post or a topic
    out of discovery (``reach_limited``);
    ``suspend`` deactivates the person's account and login (``suspended_at``; their posts vanish through
    ``visible_to``, their sessions and tokens stop working).
    Writes the action, resolves the reports, appends the audit entry and publishes ``ModerationNotice``
    (the person is told), all in one transaction; the target's row is locked first, so two moderators
    acting at once cannot both apply the same action."""
    role = check_moderator(moderator)
    target_type = check_target_type(target_type)
    if kind not in ACTIONS_FOR[target_type]:
        raise ValidationError(
            f"Choose one of: {', '.join(ACTIONS_FOR[target_type])}.", code="invalid_action", field="action"
        )
    if kind in ADMIN_ONLY and role != RoleName.ADMIN:
        raise Forbidden("Only admins can suspend accounts.", code="admin_only")
    note = check_note(note, field="note", what="note", limit=MAX_NOTE)
    with transaction.atomic():
        reported = _latest_report(target_type, target_id)
        if kind == ActionKind.SUSPEND:
            account = _responsible(target_type, target_id, reported)
            acted_type, acted_id = TargetType.ACCOUNT, account.pk
        else:
            acted_type, acted_id = target_type, target_id
        _lock(acted_type, acted_id)
        if Action.objects.filter(
            kind=kind, target_type=acted_type, target_id=acted_id, reversed_at__isnull=True
        ).exists():
            raise Conflict("This action is already in effect.", code="already_done")
        person, snapshot, undo = _apply(kind, acted_type, acted_id, reported)
        action = Action.objects.create(
            kind=kind,
            target_type=acted_type,
            target_id=acted_id,
            account=person,
            moderator=moderator,
            note=note,
            snapshot=snapshot,
            undo=undo,
        )
        reports = Report.objects.select_for_update().filter(status=ReportStatus.OPEN, target_type=target_type)
        reports = reports.filter(target_id=target_id)
        to_close = list(reports)
        if kind == ActionKind.SUSPEND:
            to_close += list(
                Report.objects.select_for_update().filter(
                    status=ReportStatus.OPEN, target_type=TargetType.ACCOUNT, target_id=acted_id
                )
            )
        to_close = list({r.pk: r for r in to_close}.values())
        _resolve(to_close, moderator, action)
        audit.record(
            moderator,
            kind,
            acted_type,
            acted_id,
            target_label=label(acted_type, snapshot),
            note=note,
            action_id=str(action.pk),
            reports=len(to_close),
        )
        if person is not None:
            publish(ModerationNotice(account_id=person.pk, action_id=action.pk))
    return action


def _lock(target_type: str, target_id: int) -> None:
    models: dict[str, Any] = {TargetType.POST: Post, TargetType.TOPIC: Topic, TargetType.ACCOUNT: Account}
    if target_type in models:  # messages are locked by messaging when it removes them
        list(models[target_type].objects.select_for_update().filter(pk=target_id).values_list("pk"))


def _responsible(target_type: str, target_id: int, reported: Report | None) -> Account:
    """The account a suspension of this target falls on."""
    account: Account | None = None
    if target_type == TargetType.ACCOUNT:
        account = Account.objects.filter(pk=target_id).first()
    elif target_type == TargetType.POST:
        post = Post.objects.select_related("author").filter(pk=target_id).first()
        account = post.author if post is not None else None
    if account is None and reported is not None:
        account = reported.target_account
    if account is None:
        raise NotFound("Nobody is responsible for this any more.")
    return account


def _apply(
    kind: str, target_type: str, target_id: int, reported: Report | None
) -> tuple[Account | None, dict[str, Any], dict[str, Any]]:
    """Make the change; return the person affected, a snapshot of the target and what ``undo`` needs."""
    if target_type == TargetType.POST:
        post = (
            Post.objects.select_for_update(of=("self",))
            .select_related("author", "topic")
            .filter(pk=target_id)
            .first()
        )
        if post is None:
            raise NotFound("This post no longer exists; dismiss its reports instead.")
        snapshot = reported.snapshot if reported is not None else snapshot_post(post)
        undo: dict[str, Any]
        if kind == ActionKind.REMOVE:
            # Reversing a removal publishes the post, also one the spam score had held for review.
            undo = {"moderation_state": ModerationState.NONE}
            post.moderation_state = ModerationState.REMOVED
        elif kind == ActionKind.SENSITIVE:
            undo = {"sensitive": post.sensitive, "media_spoiler": post.media_spoiler}
            post.sensitive = post.media_spoiler = True
        else:
            undo = {"reach_limited": post.reach_limited}
            post.reach_limited = True
        post.save(update_fields=[*undo])
        return post.author, snapshot, undo
    if target_type == TargetType.MESSAGE:
        return _remove_messages(target_id, reported)
    if target_type == TargetType.TOPIC:
        topic = Topic.objects.select_for_update().filter(pk=target_id).first()
        if topic is None:
            raise NotFound("This topic no longer exists.")
        Topic.objects.filter(pk=topic.pk).update(reach_limited=True)
        return None, snapshot_topic(topic), {"reach_limited": topic.reach_limited}
    # Suspending an account.
    account = Account.objects.select_for_update().get(pk=target_id)
    if account.suspended_at is not None:
        raise Conflict("This account is already suspended.", code="already_done")
    undo = {"is_active": account.is_active}
    Account.objects.filter(pk=account.pk).update(is_active=False, suspended_at=timezone.now())
    if account.user_id:
        User.objects.filter(pk=account.user_id).update(is_active=False)
    credentials.forget_all()  # its tokens stop working on the next request
    return account, snapshot_account(account), undo


def _remove_messages(
    target_id: int, reported: Report | None
) -> tuple[Account | None, dict[str, Any], dict[str, Any]]:
    """Remove the reported message and the other messages the same report attached from the same sender
    (the snapshot lists them); messaging hides them in this transaction (``MessagesRemoved``)."""
    if reported is None or reported.target_account is None:
        raise NotFound("Nobody is responsible for this message any more; dismiss its reports instead.")
    sender = reported.target_account
    attached = [
        int(m["id"])
        for m in (reported.snapshot or {}).get("messages", [])
        if str(m.get("sender_id")) == str(sender.pk) and str(m.get("id", "")).isdigit()
    ]
    ids = tuple(dict.fromkeys([target_id, *attached]))
    publish(MessagesRemoved(message_ids=ids, sender_id=sender.pk))
    return sender, reported.snapshot, {"message_ids": list(ids), "sender_id": sender.pk}


def reverse_action(actor: Account, action: Action, note: str = "") -> None:
    """Undo ``action`` (the caller checked the permission and holds the transaction): restore what
    ``undo`` recorded, mark it reversed, append a ``reverse`` audit entry."""
    undo = action.undo or {}
    if action.target_type == TargetType.POST and undo:
        Post.objects.filter(pk=action.target_id).update(**undo)
    elif action.target_type == TargetType.TOPIC and undo:
        Topic.objects.filter(pk=action.target_id).update(**undo)
    elif action.target_type == TargetType.MESSAGE and undo.get("message_ids"):
        # The conversation may have been deleted since: then there is nothing to show again.
        with contextlib.suppress(NotFound):
            publish(
                MessagesRemoved(
                    message_ids=tuple(undo["message_ids"]), sender_id=int(undo["sender_id"]), restored=True
                )
            )
    elif action.target_type == TargetType.ACCOUNT and action.kind == ActionKind.SUSPEND:
        account = Account.objects.select_for_update().filter(pk=action.target_id).first()
        if account is not None:
            Account.objects.filter(pk=account.pk).update(
                is_active=bool(undo.get("is_active", True)), suspended_at=None
            )
            if account.user_id:
                User.objects.filter(pk=account.user_id).update(is_active=True)
    action.reversed_at = timezone.now()
    action.save(update_fields=["reversed_at"])
    audit.record(
        actor,
        "reverse",
        action.target_type,
        action.target_id,
        target_label=label(action.target_type, action.snapshot),
        note=note,
        action_id=str(action.pk),
        kind=action.kind,
    )
