"""The Messages pages: the inbox (folders, unread counts, requests, search, the DM setting) and a
conversation (messages, composer, reactions, edits, requests, group members).

Every action is a plain form posted to a view that calls one service and redirects back, so the pages work
without JavaScript; ``web/messages.js`` adds live updates over the WebSocket and htmx swaps partials
(``_message.html``) in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from spool.core.errors import SpoolError, ValidationError
from spool.core.pagination import parse_cursor
from spool.identities.access import access_account
from spool.messaging import reads, services
from spool.messaging.access import access_message
from spool.messaging.changes import current_seq
from spool.messaging.models import REACTIONS, Membership
from spool.messaging.rules import policy_of
from spool.web.views.base import is_htmx, signed_in, spool_errors

FOLDER_NAMES = {"primary": "Primary", "requests": "Requests", "hidden": "Hidden", "archived": "Archived"}
PAGE = 40


def _conversation_url(conversation_id: int) -> str:
    return reverse("web:conversation", args=[conversation_id])


@signed_in
@spool_errors
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    since = current_seq(viewer.pk)  # before reading: the live script resumes from here
    folder = request.GET.get("folder", "primary")
    if folder not in FOLDER_NAMES:
        folder = "primary"
    unread_only = request.GET.get("unread") == "1"
    page = reads.inbox(
        viewer, folder, unread_only=unread_only, cursor=parse_cursor(request.GET.get("cursor")), limit=PAGE
    )
    query = request.GET.get("q", "").strip()
    results = reads.search(viewer, query, limit=PAGE).items if query else None
    counts = reads.unread_counts(viewer)
    context = {
        "nav": "messages",
        "folder": folder,
        "folders": [(key, name, counts[key]) for key, name in FOLDER_NAMES.items()],
        "unread_only": unread_only,
        "page": page,
        "conversations": [(c, c.title(viewer.pk)) for c in page.items],
        "query": query,
        "results": results,
        "dm_policy": policy_of(viewer)[0],
        "since": since,
    }
    if is_htmx(request):
        return render(request, "messages/_inbox_list.html", context)
    return render(request, "messages/inbox.html", context)


@signed_in
@spool_errors
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    handle = request.POST.get("to", "").strip().lstrip("@")
    try:
        recipient = access_account(viewer, handle)
        message = services.start_conversation(viewer, recipient, text=request.POST.get("text", ""))
    except SpoolError as exc:
        flash.error(request, exc.message if exc.status != 404 else f"No profile @{handle} to message.")
        return redirect("web:messages")
    return redirect(_conversation_url(message.conversation_id))


@signed_in
@spool_errors
@require_POST
def settings(request: HttpRequest) -> HttpResponse:
    services.set_dm_policy(request.viewer, request.POST.get("dm_policy"))  # type: ignore[attr-defined]
    flash.success(request, "Saved who can message you.")
    return redirect("web:messages")


@signed_in
@spool_errors
@require_http_methods(["GET"])
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    since = current_seq(viewer.pk)  # before reading: the live script resumes from here
    card = reads.conversation(viewer, conversation_id)
    page = reads.messages(viewer, conversation_id, before=parse_cursor(request.GET.get("before")), limit=PAGE)
    items = list(reversed(page.items))
    if items and request.GET.get("before") is None:
        # Opening the conversation reads it (the read receipt the others see).
        services.mark_read(viewer, conversation_id)
    seen_by = _seen_by(card, items)
    return render(
        request,
        "messages/conversation.html",
        {
            "nav": "messages",
            "conversation": card,
            "title": card.title(viewer.pk),
            "items": items,
            "older": page.next_cursor,
            "last_id": items[-1].id if items else 0,
            "since": since,
            "reactions": REACTIONS,
            "seen_by": seen_by,
            "is_request": card.state in (Membership.State.REQUEST, Membership.State.SPAM),
        },
    )


def _seen_by(card: Any, items: list[Any]) -> str:
    """Who of the others has read up to the newest message ("Seen by …")."""
    if not items:
        return ""
    newest = items[-1].id
    names = [p.display_name for p in card.members if card.read_positions.get(p.id, 0) >= newest]
    return ", ".join(names)


@signed_in
@spool_errors
@require_http_methods(["GET"])
def after(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """The messages after ``message_id`` as ``_message.html`` partials (for the live script)."""
    viewer = request.viewer  # type: ignore[attr-defined]
    page = reads.messages(viewer, conversation_id, after=message_id, limit=PAGE)
    return render(
        request,
        "messages/_messages.html",
        {"items": page.items, "reactions": REACTIONS, "conversation_id": conversation_id},
    )


@signed_in
@spool_errors
@require_http_methods(["GET"])
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    """One message as a partial (after an edit, unsend or reaction)."""
    viewer = request.viewer  # type: ignore[attr-defined]
    cards = reads.messages_by_ids(viewer, [message_id])
    if not cards:
        return HttpResponse(status=404)
    return render(request, "messages/_message.html", {"m": cards[0], "reactions": REACTIONS})


@signed_in
@spool_errors
@require_POST
def send(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    fields: dict[str, Any] = {"text": request.POST.get("text", "")}
    if request.FILES.get("image"):
        fields["image"] = request.FILES["image"]
        fields["image_alt"] = request.POST.get("image_alt", "")
    services.send_message(viewer, conversation_id, **fields)
    if is_htmx(request):
        return HttpResponse(status=204)
    return redirect(_conversation_url(conversation_id))


_CONVERSATION_ACTIONS = {
    "accept": lambda v, c, p: services.accept_request(v, c),
    "decline": lambda v, c, p: services.decline_request(v, c),
    "block": lambda v, c, p: services.block_from_request(v, c),
    "archive": lambda v, c, p: services.archive(v, c, True),
    "unarchive": lambda v, c, p: services.archive(v, c, False),
    "mute": lambda v, c, p: services.set_muted(v, c, True),
    "unmute": lambda v, c, p: services.set_muted(v, c, False),
    "read": lambda v, c, p: services.mark_read(v, c, p.get("message_id") or None),
    "leave": lambda v, c, p: services.leave_conversation(v, c),
    "delete": lambda v, c, p: services.delete_conversation(v, c),
    "rename": lambda v, c, p: services.rename_group(v, c, p.get("name", "")),
    "add": lambda v, c, p: services.add_members(v, c, [access_account(v, p.get("handle", "")).pk]),
    "remove": lambda v, c, p: services.remove_member(v, c, p.get("account_id")),
    "report": lambda v, c, p: services.report_conversation(
        v, c, p.get("reason"), p.getlist("message_ids"), p.get("comment", "")
    ),
}
# After these the conversation is gone from the person's inbox: back to the inbox.
_LEAVING = {"decline", "block", "delete"}


@signed_in
@spool_errors
@require_POST
def conversation_action(request: HttpRequest, conversation_id: int, action: str) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    run = _CONVERSATION_ACTIONS.get(action)
    if run is None:
        raise ValidationError("Unknown action.")
    run(viewer, conversation_id, request.POST)
    if action == "report":
        flash.success(request, "Thanks — a moderator will review your report.")
    if is_htmx(request):
        return HttpResponse(status=204)
    if action in _LEAVING:
        return redirect("web:messages")
    return redirect(_conversation_url(conversation_id))


@signed_in
@spool_errors
@require_POST
def message_action(request: HttpRequest, message_id: int, action: str) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    _, found = access_message(viewer, message_id)
    if action == "react":
        emoji = request.POST.get("emoji", "")
        current = reads.messages_by_ids(viewer, [message_id])[0].reaction_of(viewer.pk)
        services.react(viewer, message_id, "" if emoji == current else emoji)  # the same emoji again removes
    elif action == "edit":
        services.edit_message(viewer, message_id, request.POST.get("text", ""))
    elif action == "unsend":
        services.unsend_message(viewer, message_id)
    elif action == "delete":
        services.delete_for_me(viewer, message_id)
    else:
        raise ValidationError("Unknown action.")
    if is_htmx(request):
        cards = reads.messages_by_ids(viewer, [message_id])
        if not cards:
            return HttpResponse("")
        return render(request, "messages/_message.html", {"m": cards[0], "reactions": REACTIONS})
    return redirect(_conversation_url(found.conversation_id) + f"#m{message_id}")
