"""``/api/spool/v1/messaging/``: direct messages — the inbox, conversations, messages, reactions, requests,
groups, reports, search and the DM setting.

Thin: each endpoint reads its input (a JSON object, or a form / multipart form when it carries an image),
calls one service or read from ``spool.messaging`` and returns plain dicts built from the batched cards.
IDs are strings. Errors are ``{"error", "code", "field"}`` with a 4xx status and change nothing.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest
from ninja import Router, Status

from spool.api.common.auth import current_account
from spool.api.common.idempotency import once
from spool.core.errors import ValidationError
from spool.core.pagination import parse_cursor
from spool.identities.access import access_account
from spool.messaging import reads, services
from spool.messaging.cards import message_cards
from spool.messaging.models import Message
from spool.messaging.rules import policy_of

router = Router(tags=["messaging"])

_CONTENT_FIELDS = ("text", "image_alt", "shared_post_id")


def _body(request: HttpRequest) -> dict[str, Any]:
    """The request's fields: a JSON object, or form fields (lists stay lists) plus uploaded files."""
    if (request.content_type or "").startswith("application/json"):
        if not request.body.strip():
            return {}
        try:
            data = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            raise ValidationError("The body is not valid JSON.", code="invalid_json") from None
        if not isinstance(data, dict):
            raise ValidationError("The body must be a JSON object.", code="invalid_json")
        return data
    data = {key: values if len(values) > 1 else values[0] for key, values in request.POST.lists()}
    for key, plural in (("member_ids", "member_ids[]"), ("message_ids", "message_ids[]")):
        if plural in request.POST:
            data[key] = request.POST.getlist(plural)
        elif key in request.POST:
            data[key] = request.POST.getlist(key)
    data.update(request.FILES.dict())
    return data


def _content(body: dict[str, Any]) -> dict[str, Any]:
    fields = {name: body[name] for name in _CONTENT_FIELDS if name in body}
    if "image" in body:
        if isinstance(body["image"], str):
            raise ValidationError(
                "Send the image as a file (multipart/form-data).", code="invalid", field="image"
            )
        fields["image"] = body["image"]
    return fields


def _flag(request: HttpRequest, name: str) -> bool:
    value = request.GET.get(name, "")
    if value.lower() in ("", "0", "false", "no"):
        return False
    if value.lower() in ("1", "true", "yes"):
        return True
    raise ValidationError(f"{name} must be true or false.", code="invalid", field=name)


def _cursor_out(value: int | None) -> str | None:
    return str(value) if value is not None else None


def _message(request: HttpRequest, message_id: int) -> dict[str, Any]:
    account = current_account(request)
    cards = reads.messages_by_ids(account, [message_id])
    return cards[0].as_dict(account.pk) if cards else {"id": str(message_id)}


def _written(request: HttpRequest, message: Message) -> dict[str, Any]:
    """The card of a message a service just wrote (it holds its sender, preview and shared post)."""
    account = current_account(request)
    return message_cards(account, [message])[0].as_dict(account.pk)


def _conversation(request: HttpRequest, conversation_id: Any) -> dict[str, Any]:
    account = current_account(request)
    return reads.conversation(account, conversation_id).as_dict(account.pk)


# --- The inbox -------------------------------------------------------------------------------------------


@router.get("conversations", summary="Your conversations in a folder, most recently active first")
def list_conversations(
    request: HttpRequest,
    folder: str = "primary",
    unread: str = "",
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """``folder``: primary, requests, hidden or archived; ``unread=true`` keeps only unread conversations;
    pass ``next_cursor`` back as ``cursor``."""
    account = current_account(request)
    page = reads.inbox(
        account, folder, unread_only=_flag(request, "unread"), cursor=parse_cursor(cursor), limit=limit
    )
    return {
        "items": [c.as_dict(account.pk) for c in page.items],
        "next_cursor": _cursor_out(page.next_cursor),
    }


@router.get("unread_counts", summary="How many conversations have unread messages, per folder")
def unread_counts(request: HttpRequest) -> dict[str, int]:
    return reads.unread_counts(current_account(request))


@router.post(
    "conversations", response={201: dict}, summary="Message someone (starts or continues a one-to-one)"
)
def start_conversation(request: HttpRequest) -> Status[dict[str, Any]]:
    """Body: ``to`` (a handle) and the message (``text``, ``image`` + ``image_alt`` as multipart,
    ``shared_post_id``)."""
    account = current_account(request)
    body = _body(request)

    def run() -> dict[str, Any]:
        recipient = access_account(account, body.get("to") or "")
        message = services.start_conversation(account, recipient, **_content(body))
        return {
            "conversation": _conversation(request, message.conversation_id),
            "message": _written(request, message),
        }

    return Status(201, once("dm_start", account.pk, request.headers.get("Idempotency-Key"), run))


@router.post("groups", response={201: dict}, summary="Create a named group")
def create_group(request: HttpRequest) -> Status[dict[str, Any]]:
    """Body: ``name`` and ``member_ids`` (people who follow you; up to 49)."""
    account = current_account(request)
    body = _body(request)
    conversation = services.create_group(account, body.get("name", ""), body.get("member_ids", []))
    return Status(201, _conversation(request, conversation.pk))


@router.get("conversations/{conversation_id}", summary="One conversation")
def get_conversation(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
    return _conversation(request, conversation_id)


@router.patch("conversations/{conversation_id}", summary="Rename a group (admins)")
def rename_group(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
    services.rename_group(current_account(request), conversation_id, _body(request).get("name", ""))
    return _conversation(request, conversation_id)


@router.delete(
    "conversations/{conversation_id}", response={204: None}, summary="Delete a conversation for you"
)
def delete_conversation(request: HttpRequest, conversation_id: str) -> Status[None]:
    services.delete_conversation(current_account(request), conversation_id)
    return Status(204, None)


# --- Messages --------------------------------------------------------------------------------------------


@router.get("conversations/{conversation_id}/messages", summary="A page of messages")
def list_messages(
    request: HttpRequest,
    conversation_id: str,
    before: str | None = None,
    after: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """Newest first below ``before`` (default), or oldest first above ``after``."""
    account = current_account(request)
    page = reads.messages(
        account, conversation_id, before=parse_cursor(before), after=parse_cursor(after), limit=limit
    )
    return {
        "items": [m.as_dict(account.pk) for m in page.items],
        "next_cursor": _cursor_out(page.next_cursor),
    }


@router.post("conversations/{conversation_id}/messages", response={201: dict}, summary="Send a message")
def send_message(request: HttpRequest, conversation_id: str) -> Status[dict[str, Any]]:
    """With an ``Idempotency-Key`` header, a retry (after a timeout or a ``503``) within an hour returns
    the first answer instead of sending the message twice."""
    account = current_account(request)
    body = _body(request)

    def run() -> dict[str, Any]:
        return _written(request, services.send_message(account, conversation_id, **_content(body)))

    return Status(201, once("dm_send", account.pk, request.headers.get("Idempotency-Key"), run))


@router.patch("messages/{message_id}", summary="Edit your message (within 15 minutes)")
def edit_message(request: HttpRequest, message_id: str) -> dict[str, Any]:
    message = services.edit_message(current_account(request), message_id, _body(request).get("text", ""))
    return _written(request, message)


@router.post("messages/{message_id}/unsend", summary="Unsend your message for everyone")
def unsend_message(request: HttpRequest, message_id: str) -> dict[str, Any]:
    message = services.unsend_message(current_account(request), message_id)
    return _written(request, message)


@router.delete("messages/{message_id}", response={204: None}, summary="Delete a message for you")
def delete_message(request: HttpRequest, message_id: str) -> Status[None]:
    services.delete_for_me(current_account(request), message_id)
    return Status(204, None)


@router.put("messages/{message_id}/reaction", summary="React (one of ❤️ 😂 😮 😢 😡 👍; replaces yours)")
def react(request: HttpRequest, message_id: str) -> dict[str, Any]:
    account = current_account(request)
    services.react(account, message_id, _body(request).get("emoji"))
    return _message(request, int(message_id))


@router.delete("messages/{message_id}/reaction", summary="Remove your reaction")
def unreact(request: HttpRequest, message_id: str) -> dict[str, Any]:
    account = current_account(request)
    services.react(account, message_id, "")
    return _message(request, int(message_id))


@router.post("conversations/{conversation_id}/read", summary="Mark read (up to message_id, or everything)")
def mark_read(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
    services.mark_read(current_account(request), conversation_id, _body(request).get("message_id"))
    return _conversation(request, conversation_id)


# --- Requests, folders, mute ----------------------------------------------------------------------------


def _conversation_action(path: str, service: Any, summary: str, *args: Any) -> None:
    def endpoint(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
        service(current_account(request), conversation_id, *args)
        return _conversation(request, conversation_id)

    endpoint.__doc__ = summary
    router.post(f"conversations/{{conversation_id}}/{path}", summary=summary, operation_id=f"dm_{path}")(
        endpoint
    )


_conversation_action("accept", services.accept_request, "Accept a message request")
_conversation_action("archive", services.archive, "Move to Archived", True)
_conversation_action("unarchive", services.archive, "Move back to Primary", False)
_conversation_action("mute", services.set_muted, "Mute (no notifications)", True)
_conversation_action("unmute", services.set_muted, "Unmute", False)
_conversation_action("leave", services.leave_conversation, "Leave a group")


@router.post("conversations/{conversation_id}/decline", response={204: None}, summary="Delete a request")
def decline(request: HttpRequest, conversation_id: str) -> Status[None]:
    services.decline_request(current_account(request), conversation_id)
    return Status(204, None)


@router.post(
    "conversations/{conversation_id}/block", response={204: None}, summary="Delete a request and block"
)
def block(request: HttpRequest, conversation_id: str) -> Status[None]:
    services.block_from_request(current_account(request), conversation_id)
    return Status(204, None)


# --- Groups ----------------------------------------------------------------------------------------------


@router.post("conversations/{conversation_id}/members", summary="Add people to a group (admins)")
def add_members(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
    services.add_members(current_account(request), conversation_id, _body(request).get("member_ids", []))
    return _conversation(request, conversation_id)


@router.delete("conversations/{conversation_id}/members/{account_id}", summary="Remove someone (admins)")
def remove_member(request: HttpRequest, conversation_id: str, account_id: str) -> dict[str, Any]:
    services.remove_member(current_account(request), conversation_id, account_id)
    return _conversation(request, conversation_id)


# --- Safety, search, settings ---------------------------------------------------------------------------


@router.post("conversations/{conversation_id}/report", response={201: dict}, summary="Report spam or abuse")
def report(request: HttpRequest, conversation_id: str) -> Status[dict[str, Any]]:
    """Body: ``reason`` (spam or abuse), optional ``message_ids`` (up to 20) and ``comment``."""
    body = _body(request)
    created = services.report_conversation(
        current_account(request),
        conversation_id,
        body.get("reason"),
        body.get("message_ids"),
        body.get("comment", ""),
    )
    return Status(201, {"id": str(created.pk), "status": created.status})


@router.get("search", summary="Search your messages")
def search(request: HttpRequest, q: str = "", cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
    account = current_account(request)
    page = reads.search(account, q, cursor=parse_cursor(cursor), limit=limit)
    return {
        "items": [m.as_dict(account.pk) for m in page.items],
        "next_cursor": _cursor_out(page.next_cursor),
    }


@router.get("settings", summary="Who may message you")
def get_settings(request: HttpRequest) -> dict[str, Any]:
    policy, minor = policy_of(current_account(request))
    return {"dm_policy": policy, "is_minor": minor}


@router.patch("settings", summary="Change who may message you: everyone, following or nobody")
def set_settings(request: HttpRequest) -> dict[str, Any]:
    account = current_account(request)
    services.set_dm_policy(account, _body(request).get("dm_policy"))
    account.user.refresh_from_db(fields=["dm_policy"])
    return get_settings(request)
