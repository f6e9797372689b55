"""Reporting a conversation, or messages in it, as spam or abuse. The report waits for a moderator with the
reported messages attached (and copied as they were, in ``evidence``): messaging keeps its own ``Report`` row
and files the same report into the moderators' queue through ``spool.moderation.services.file_report``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction

from spool.core.errors import ValidationError
from spool.core.ratelimit import Limit, hit
from spool.identities.models import Account
from spool.messaging.access import access_membership, visible_messages
from spool.messaging.models import Membership, Message, Report
from spool.messaging.services._common import check_actor
from spool.moderation.models import TargetType
from spool.moderation.services import file_report
from spool.moderation.snapshots import account_summary
from spool.posts.services.validation import check_plain

REPORT_LIMIT = Limit("message_reports", 50, timedelta(hours=24))
MAX_REPORTED = 20
MAX_COMMENT = 1000


def report_conversation(
    reporter: Account,
    conversation_id: Any,
    reason: Any,
    message_ids: Iterable[Any] | None = None,
    comment: Any = "",
) -> Report:
    """Report a conversation as ``spam`` or ``abuse``, attaching up to 20 of its messages the reporter can
    see (others' messages, not system lines). A reported request moves to Hidden. Rate-limited (50 a day)."""
    check_actor(reporter)
    if reason not in Report.Reason.values:
        raise ValidationError("The reason must be spam or abuse.", code="invalid_reason", field="reason")
    comment = check_plain(comment, field="comment", what="comment").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            f"A comment can be at most {MAX_COMMENT:,} characters long.",
            code="comment_too_long",
            field="comment",
        )
    if message_ids is None:
        message_ids = []
    if isinstance(message_ids, (str, bytes)) or not isinstance(message_ids, Iterable):
        raise ValidationError("message_ids must be a list.", code="invalid", field="message_ids")
    try:
        wanted = list(dict.fromkeys(int(i) for i in message_ids))
    except (TypeError, ValueError):
        raise ValidationError("Message IDs must be numbers.", code="invalid", field="message_ids") from None
    if len(wanted) > MAX_REPORTED:
        raise ValidationError(
            f"Attach at most {MAX_REPORTED} messages.", code="too_many", field="message_ids"
        )
    with transaction.atomic():
        membership = access_membership(reporter, conversation_id, lock=True)
        messages = list(
            visible_messages(reporter)
            .filter(conversation_id=membership.conversation_id, id__in=wanted, kind=Message.Kind.TEXT)
            .exclude(sender=reporter)
            .order_by("id")
        )
        if len(messages) != len(wanted):
            raise ValidationError(
                "Attach only others' messages from this conversation.",
                code="invalid_messages",
                field="message_ids",
            )
        hit(REPORT_LIMIT, reporter.pk)
        reported = messages[0].sender if messages else None
        if reported is None and not membership.conversation.is_group:
            other = Membership.objects.filter(conversation_id=membership.conversation_id).exclude(
                pk=membership.pk
            )
            reported = other.select_related("account").first().account  # type: ignore[union-attr]
        report = Report.objects.create(
            reporter=reporter,
            conversation_id=membership.conversation_id,
            reported_account=reported,
            reason=reason,
            comment=comment,
            evidence=[
                {
                    "id": str(m.pk),
                    "sender_id": str(m.sender_id),
                    "text": m.text,
                    "image": m.image.name if m.image else "",
                    "created_at": m.created_at.isoformat(),
                }
                for m in messages
            ],
        )
        report.messages.set(messages)
        _file_for_moderators(report, messages)
        if membership.state == Membership.State.REQUEST:
            membership.state, membership.folder = Membership.State.SPAM, Membership.Folder.HIDDEN
            membership.save(update_fields=["state", "folder"])
    return report


def _file_for_moderators(report: Report, messages: list[Message]) -> None:
    """The moderation report of a messaging report: of its first message when messages are attached (all
    of them in the snapshot), else of the conversation. Deduplicated by moderation per reporter and target."""
    conversation = report.conversation
    snapshot: dict[str, Any] = {
        "conversation_id": str(conversation.pk),
        "conversation": conversation.name or conversation.kind,
        "sender": account_summary(report.reported_account),
        "text": messages[0].text if messages else "",
        "messages": report.evidence,
    }
    file_report(
        report.reporter,
        target_type=TargetType.MESSAGE if messages else TargetType.CONVERSATION,
        target_id=messages[0].pk if messages else conversation.pk,
        target_account=report.reported_account,
        reason=report.reason,
        comment=report.comment,
        snapshot=snapshot,
    )
