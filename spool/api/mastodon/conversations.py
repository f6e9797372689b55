"""``/api/v1/conversations``: Spool's direct-message conversations as Mastodon ``Conversation`` entities.

What maps: the list (Primary and Archived folders; message requests and hidden requests stay out, as
Mastodon has no such thing), ``unread``, the other participants as ``accounts``, mark read, and delete (for
oneself). The newest message is rendered as a read-only pseudo-status (``visibility: "direct"``) so clients
can show a preview; its ID is the message's and the status endpoints do not serve it (no context, no
favourite, no reply through ``POST /api/v1/statuses``) — replying needs Spool's own messaging API. See
``docs/api/mastodon.md`` (Conversations).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities.accounts import profile_url, render_account
from spool.api.mastodon.entities.common import absolute, iso, paragraph
from spool.api.mastodon.entities.media import media_entity
from spool.api.mastodon.pagination import Window, link_header
from spool.identities.models import Account
from spool.messaging import reads, services
from spool.messaging.cards import ConversationCard, MessageCard
from spool.messaging.models import Membership

router = Router(tags=["conversations"])

FOLDERS = (Membership.Folder.PRIMARY, Membership.Folder.ARCHIVED)


def _content(message: MessageCard) -> str:
    if message.kind == "system":
        return paragraph(escape(message.system_text()))
    if message.removed:
        return paragraph("<em>Message removed by moderators</em>")
    if message.unsent:
        return paragraph("<em>Message unsent</em>")
    html = escape(message.text).replace("\n", "<br>")
    if message.shared_post and message.shared_post.get("available"):
        link = absolute(message.shared_post["url"])
        html += f'{"<br>" if html else ""}<a href="{escape(link, quote=True)}">{escape(link)}</a>'
    return paragraph(html)


def pseudo_status(message: MessageCard, sender: Account, others: list[Account]) -> dict[str, Any]:
    """The message as a read-only Mastodon ``Status`` with ``direct`` visibility."""
    image = message.image
    return {
        "id": str(message.id),
        "uri": absolute(f"/messages/{message.conversation_id}#m{message.id}"),
        "url": None,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "account": render_account(None, sender),
        "content": _content(message),
        "text": None,
        "visibility": "direct",
        "sensitive": False,
        "spoiler_text": "",
        "media_attachments": [
            media_entity(message.id, image["url"], image["width"], image["height"], image["alt_text"])
        ]
        if image
        else [],
        "application": None,
        "mentions": [
            {"id": str(a.pk), "username": a.handle, "acct": a.acct, "url": profile_url(a)} for a in others
        ],
        "tags": [],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "poll": None,
        "card": None,
        "language": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "filtered": [],
        "spool": {"direct_message": True, "conversation_id": str(message.conversation_id)},
    }


def render_conversations(viewer: Account, cards: list[ConversationCard]) -> list[dict[str, Any]]:
    """Mastodon ``Conversation`` entities for a page of cards: one query for all the accounts shown."""
    ids = {p.id for c in cards for p in c.members}
    ids |= {c.last_message.sender.id for c in cards if c.last_message and c.last_message.sender}
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    out = []
    for card in cards:
        others = [accounts[p.id] for p in card.members if p.id != viewer.pk and p.id in accounts]
        last = card.last_message
        sender = accounts.get(last.sender.id) if last and last.sender else None
        out.append(
            {
                "id": str(card.id),
                "unread": card.unread_count > 0,
                "accounts": [render_account(viewer, a) for a in others],
                "last_status": pseudo_status(last, sender, others) if last and sender else None,
            }
        )
    return out


@router.get("/v1/conversations", auth=scoped("read:statuses"))
def list_conversations(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    viewer = me(request)
    window = Window.from_request(request, default=20, cap=40)
    rows = window.apply(reads.listed(viewer, FOLDERS), "conversation__last_message_id")
    link_header(request, response, [m.conversation.last_message_id for m in rows])
    return render_conversations(viewer, reads.cards_for(viewer, rows))


@router.post("/v1/conversations/{conversation_id}/read", auth=scoped("write:conversations"))
def read_conversation(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
    viewer = me(request)
    services.mark_read(viewer, conversation_id)
    return render_conversations(viewer, [reads.conversation(viewer, conversation_id)])[0]


@router.delete("/v1/conversations/{conversation_id}", auth=scoped("write:conversations"))
def delete_conversation(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
    services.delete_conversation(me(request), conversation_id)
    return {}
