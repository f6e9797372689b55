"""Messaging's side of moderators removing a reported message
(:class:`spool.moderation.events.MessagesRemoved`, handled inside the moderation action's transaction)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from spool.core.errors import NotFound
from spool.core.events import publish
from spool.messaging.events import MessageEdited
from spool.messaging.models import Message
from spool.messaging.services._common import message_changed
from spool.moderation.events import MessagesRemoved


def on_messages_removed(event: MessagesRemoved) -> None:
    """Hide the messages from every member (``removed_at``; their content stays in the row, and in the
    report's snapshot, so an appeal can show them again), or show them again when ``restored``. Only
    messages of ``sender_id`` are touched; ``NotFound`` when none is left (unsent messages included: there
    is nothing to remove). Each member hears of the change like of an edit (``MessageEdited``: clients
    re-read the message, which now reads "Removed by moderators")."""
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update()
            .filter(pk__in=event.message_ids, sender_id=event.sender_id, unsent_at__isnull=True)
            .order_by("pk")
        )
        if not messages:
            raise NotFound("This message no longer exists; dismiss its reports instead.")
        now = None if event.restored else timezone.now()
        for message in messages:
            if (message.removed_at is None) == (now is None):
                continue
            message.removed_at = now
            message.save(update_fields=["removed_at"])
            readers, seqs = message_changed(message)
            publish(
                MessageEdited(
                    conversation_id=message.conversation_id,
                    message_id=message.pk,
                    audience=readers,
                    seqs=seqs,
                )
            )
