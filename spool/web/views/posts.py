"""A post with its thread, and what one does to a post: like, repost, save (and undo), vote, hide a reply,
edit (with its history) and delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spool.communities.services import is_allowed_like_emoji
from spool.core.errors import SpoolError
from spool.identities.models import Account
from spool.posts.access import access_post, reply_refusal
from spool.posts.rendering import render_post_text
from spool.posts.services import (
    delete_post,
    edit_post,
    hide_reply,
    like_post,
    repost_post,
    save_post,
    undo_repost,
    unhide_reply,
    unlike_post,
    unsave_post,
    vote_in_poll,
)
from spool.posts.timelines import thread as load_thread
from spool.web.forms import ComposeForm, EditPostForm, add_service_error
from spool.web.markup import parse_spoilers, parse_styles, spoiler_syntax, style_syntax
from spool.web.views.base import is_htmx, redirect_back, signed_in, spool_errors, viewer_of
from spool.web.views.cards import card_for


def post_path(handle: str, post_id: int) -> str:
    return reverse("web:post", args=[handle, post_id])


@spool_errors
@require_GET
def thread(request: HttpRequest, handle: str, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    shown = load_thread(viewer, post_id)
    author = shown.post.author.acct
    if handle != author:
        # Handles are case-insensitive and can change; the post's author decides the address.
        return HttpResponseRedirect(post_path(author, shown.post.id))
    root = shown.post if not shown.post.is_reply else (shown.ancestors[0] if shown.ancestors else None)
    context: dict[str, Any] = {
        "thread": shown,
        "card": shown.post,
        "root_author_id": root.author.id if root is not None and not root.is_reply else None,
        "reply_refusal": reply_refusal(viewer, shown.post.post) if viewer is not None else None,
        "nav": None,
    }
    if viewer is not None and context["reply_refusal"] is None:
        context["form"] = ComposeForm(initial={"reply_to": shown.post.id})
        context["next"] = post_path(author, shown.post.id)
    return render(request, "web/thread.html", context)


POST_ACTIONS: dict[str, Callable[[Account, Any], Any]] = {
    "like": like_post,
    "unlike": unlike_post,
    "repost": repost_post,
    "unrepost": undo_repost,
    "save": save_post,
    "unsave": unsave_post,
    "hide": hide_reply,
    "unhide": unhide_reply,
}


@signed_in
@spool_errors
@require_POST
def post_action(request: HttpRequest, handle: str, post_id: int, action: str) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    if action not in POST_ACTIONS:
        raise Http404
    POST_ACTIONS[action](viewer, post_id)
    if is_htmx(request) and action not in ("hide", "unhide"):
        # A like button inside a community keeps the community's emoji (checked against the allowed set).
        emoji = request.POST.get("like_emoji", "")
        context = {
            "card": card_for(viewer, post_id),
            "like_emoji": emoji if is_allowed_like_emoji(emoji) else "",
        }
        return render(request, "web/_post_actions.html", context)
    return redirect_back(request, post_path(handle, post_id))


@signed_in
@spool_errors
@require_POST
def vote(request: HttpRequest, handle: str, post_id: int) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    raw = request.POST.get("option", "")
    vote_in_poll(viewer, post_id, int(raw) if raw.isdigit() else raw)
    if is_htmx(request):
        card = card_for(viewer, post_id)
        return render(request, "web/_poll.html", {"card": card, "poll": card.poll})
    return redirect_back(request, post_path(handle, post_id))


def _own_post(request: HttpRequest, post_id: int) -> Any:
    """The viewer's own post (someone else's is a 404, like a missing one: pages never say whose it is)."""
    post = access_post(request.viewer, post_id)  # type: ignore[attr-defined]
    if post.author_id != request.viewer.id:  # type: ignore[attr-defined]
        raise Http404
    return post


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, handle: str, post_id: int) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    post = _own_post(request, post_id)
    if request.method == "POST":
        form = EditPostForm(request.POST)
        if form.is_valid():
            text, spoilers = parse_spoilers(form.cleaned_data["text"] or "")
            attachment, styles = parse_styles(form.cleaned_data["attachment_text"] or "")
            try:
                edit_post(
                    viewer,
                    post.id,
                    text=text,
                    spoilers=spoilers,
                    topic=form.cleaned_data["topic"] or "",
                    media_spoiler=form.cleaned_data["media_spoiler"],
                    attachment_text=attachment,
                    attachment_styles=styles,
                )
            except SpoolError as exc:
                add_service_error(form, exc, EditPostForm.ERROR_ALIASES)
            else:
                messages.success(request, "Post edited.")
                return HttpResponseRedirect(post_path(viewer.handle, post.id))
        status = 422
    else:
        form = EditPostForm(
            initial={
                "text": spoiler_syntax(post.text, post.spoilers),
                "topic": post.topic.display if post.topic else "",
                "media_spoiler": post.media_spoiler,
                "attachment_text": style_syntax(post.attachment_text, post.attachment_styles),
            }
        )
        status = 200
    context = {"form": form, "card": card_for(viewer, post.id), "post": post}
    return render(request, "web/edit.html", context, status=status)


@spool_errors
@require_GET
def history(request: HttpRequest, handle: str, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    card = card_for(viewer, post_id)
    # Earlier versions of a post the viewer may see (access checked just above), newest first.
    versions = [
        {
            "html": render_post_text(edit.text, edit.spoilers),
            "topic": edit.topic_display,
            "at": edit.created_at,
        }
        for edit in card.post.edits.order_by("-created_at")
    ]
    return render(request, "web/history.html", {"card": card, "versions": versions})


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, handle: str, post_id: int) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    post = _own_post(request, post_id)
    if request.method == "POST":
        parent_id = post.reply_to_id
        delete_post(viewer, post.id)
        messages.success(request, "Post deleted.")
        if parent_id:
            try:
                parent = access_post(viewer, parent_id)
            except SpoolError:
                pass
            else:
                return HttpResponseRedirect(post_path(parent.author.acct, parent.id))
        return HttpResponseRedirect(reverse("web:profile", args=[viewer.handle]))
    return render(request, "web/delete.html", {"card": card_for(viewer, post.id)})
