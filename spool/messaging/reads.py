"""Reading one's messages: the inbox by folder, unread counts, one conversation's messages by cursor, the
catch-up after a reconnect (``changes_since``), and search. Every list is cursor-paginated and bounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from spool.core.errors import ValidationError
from spool.core.pagination import MAX_PAGE, Page
from spool.identities.models import Account
from spool.messaging.access import access_membership, readers_of, visible_messages
from spool.messaging.cards import ConversationCard, MessageCard, conversation_cards, message_cards
from spool.messaging.changes import current_seq
from spool.messaging.models import Change, HiddenMessage, Membership, Message

FOLDERS = tuple(Membership.Folder.values)
CATCH_UP_BATCH = 200
MAX_QUERY = 200
NEVER = (1 << 63) - 1  # "no upper bound" for a window still open


def _limit(limit: Any) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        raise ValidationError("limit must be a number.", code="invalid", field="limit") from None
    return max(1, min(value, MAX_PAGE))


def _listed(viewer: Account) -> QuerySet[Membership]:
    """The viewer's memberships that appear in a folder: with something newer than what they cleared."""
    return Membership.objects.filter(account=viewer, conversation__last_message_id__gt=F("cleared_before_id"))


def _unread_filter() -> Q:
    return Q(conversation__last_message_id__gt=F("last_read_message_id")) & (
        Q(visible_until_id__isnull=True) | Q(visible_until_id__gt=F("last_read_message_id"))
    )


def _with_unread_counts(qs: QuerySet[Membership], viewer: Account) -> QuerySet[Membership]:
    unread = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            id__gt=OuterRef("last_read_message_id"),
        )
        .exclude(sender=viewer)
        .exclude(id__in=HiddenMessage.objects.filter(account=viewer).values("message_id"))
        .filter(id__gt=OuterRef("visible_from_id"))
        .filter(id__lte=Coalesce(OuterRef("visible_until_id"), Value(NEVER, output_field=BigIntegerField())))
        .values("conversation_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))


@dataclass
class InboxPage:
    items: list[ConversationCard]
    next_cursor: int | None


def inbox(
    viewer: Account,
    folder: Any = "primary",
    *,
    unread_only: bool = False,
    cursor: int | None = None,
    limit: Any = 20,
) -> InboxPage:
    """``viewer``'s conversations in ``folder``, the most recently active first; ``next_cursor`` is the
    last conversation's newest message ID."""
    if folder not in FOLDERS:
        raise ValidationError(
            f"The folder must be one of {', '.join(FOLDERS)}.", code="invalid", field="folder"
        )
    size = _limit(limit)
    qs = _listed(viewer).filter(folder=folder).select_related("conversation")
    if unread_only:
        qs = qs.filter(_unread_filter())
    if cursor is not None:
        qs = qs.filter(conversation__last_message_id__lt=cursor)
    rows = list(_with_unread_counts(qs, viewer).order_by("-conversation__last_message_id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    cards = conversation_cards(viewer, rows, {m.conversation_id: m.unread for m in rows})  # type: ignore[attr-defined]
    return InboxPage(cards, rows[-1].conversation.last_message_id if more and rows else None)


def listed(viewer: Account, folders: tuple[str, ...]) -> QuerySet[Membership]:
    """``viewer``'s memberships in ``folders`` that show in the inbox, with their unread counts annotated
    (``unread``), for callers that page them their own way (the Mastodon API's ``max_id``/``min_id``)."""
    return _with_unread_counts(
        _listed(viewer).filter(folder__in=folders).select_related("conversation"), viewer
    )


def cards_for(viewer: Account, rows: list[Membership]) -> list[ConversationCard]:
    """Cards for memberships from :func:`listed`."""
    return conversation_cards(viewer, rows, {m.conversation_id: m.unread for m in rows})  # type: ignore[attr-defined]


def unread_counts(viewer: Account) -> dict[str, int]:
    """How many conversations in each folder have something unread (one query)."""
    counts = dict.fromkeys(FOLDERS, 0)
    for folder, n in (
        _listed(viewer).filter(_unread_filter()).values_list("folder").annotate(n=Count("id")).order_by()
    ):
        counts[folder] = n
    return counts


def conversation(viewer: Account, conversation_id: Any) -> ConversationCard:
    membership = access_membership(viewer, conversation_id)
    row = (
        _with_unread_counts(Membership.objects.filter(pk=membership.pk), viewer)
        .select_related("conversation")
        .get()
    )
    return conversation_cards(viewer, [row], {row.conversation_id: row.unread})[0]  # type: ignore[attr-defined]


def messages(
    viewer: Account,
    conversation_id: Any,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: Any = 20,
) -> Page[MessageCard]:
    """A page of one conversation's messages: newest first below ``before`` (the default), or oldest first
    above ``after`` (to fetch what is new). ``next_cursor`` continues in the same direction."""
    membership = access_membership(viewer, conversation_id)
    size = _limit(limit)
    qs = visible_messages(viewer).filter(conversation_id=membership.conversation_id).for_cards()
    if after is not None:
        rows = list(qs.filter(id__gt=after).order_by("id")[: size + 1])
    else:
        if before is not None:
            qs = qs.filter(id__lt=before)
        rows = list(qs.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(message_cards(viewer, rows), rows[-1].pk if more and rows else None)


def messages_by_ids(viewer: Account, ids: list[int]) -> list[MessageCard]:
    """The cards of these messages that ``viewer`` may see, oldest first."""
    return message_cards(viewer, visible_messages(viewer).filter(pk__in=ids).for_cards().order_by("id"))


@dataclass
class Readers:
    """Who receives a message live, and which of them muted its conversation."""

    ids: tuple[int, ...]
    muted: frozenset[int]


def message_for_push(message_id: int) -> tuple[MessageCard | None, Readers]:
    """A message rendered once for everyone who may see it (``None`` when it is gone, or when it shares a
    post — whether that post shows depends on each viewer, who then reads it themselves), and the IDs of
    the members whose window holds it and who have not deleted it for themselves. Three queries."""
    message = Message.objects.for_cards().filter(pk=message_id).first()
    if message is None:
        return None, Readers((), frozenset())
    rows = list(readers_of(message).values_list("account_id", "muted"))
    readers = Readers(tuple(i for i, _ in rows), frozenset(i for i, muted in rows if muted))
    if message.shared_post_id is not None:
        return None, readers
    return message_cards(None, [message])[0], readers


@dataclass
class Changes:
    """A batch of one person's changes after a sequence number, oldest first, each with the message it
    concerns as they see it now (``None`` for read positions and membership changes, and for a message
    they can no longer see). ``resync``: the changes after that number are no longer all kept (or the
    number is not one of theirs): the client reloads instead, and resumes from ``current``."""

    items: list[tuple[Change, MessageCard | None]]
    more: bool
    resync: bool = False
    current: int = 0


def changes_since(viewer: Account, since: int, limit: int = CATCH_UP_BATCH) -> Changes:
    """``viewer``'s changes numbered after ``since`` (at most ``limit``; ``more`` when there are others):
    what a reconnecting client missed — new messages, edits, unsends, reactions, read positions and
    membership changes, each once, in the order they were committed. Three queries."""
    current = current_seq(viewer.pk)
    rows = list(Change.objects.filter(account=viewer, seq__gt=since).order_by("seq")[: limit + 1])
    if since > current or (since < current and (not rows or rows[0].seq != since + 1)):
        return Changes([], more=False, resync=True, current=current)
    more = len(rows) > limit
    rows = rows[:limit]
    wanted = {r.message_id for r in rows if r.message_id is not None and r.kind in _MESSAGE_KINDS}
    cards = {card.id: card for card in messages_by_ids(viewer, list(wanted))} if wanted else {}
    items = [
        (row, cards.get(row.message_id) if row.kind in _MESSAGE_KINDS and row.message_id else None)
        for row in rows
    ]
    return Changes(items, more=more, current=current)


_MESSAGE_KINDS = (Change.Kind.NEW, Change.Kind.UPDATED)


def search(viewer: Account, query: Any, *, cursor: int | None = None, limit: Any = 20) -> Page[MessageCard]:
    """Messages in ``viewer``'s conversations whose text contains ``query`` (case-insensitive), newest
    first."""
    if not isinstance(query, str) or not query.strip():
        raise ValidationError("Type something to search for.", code="empty", field="q")
    if len(query) > MAX_QUERY:
        raise ValidationError(f"Search at most {MAX_QUERY} characters.", code="too_long", field="q")
    size = _limit(limit)
    qs = (
        visible_messages(viewer)
        .filter(kind=Message.Kind.TEXT, removed_at__isnull=True, text__icontains=query.strip())
        .for_cards()
    )
    if cursor is not None:
        qs = qs.filter(id__lt=cursor)
    rows = list(qs.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(message_cards(viewer, rows), rows[-1].pk if more and rows else None)
