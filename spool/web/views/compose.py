"""The composer (``/compose``, also embedded on the home page and under a post as the reply box).

The form carries every post option; the only translation done here is from the page's plain-text syntaxes
(``||spoiler||``, attachment style markers, one alt-text line per image) to the arguments of
:func:`spool.posts.services.create_post`. Images are uploaded in the same transaction as the post, so a
refused post leaves no stray uploads in the database.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from spool.core.errors import SpoolError
from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.models import Post
from spool.posts.services import create_post, upload_media
from spool.posts.services.validation import check_media_ids
from spool.web.forms import ComposeForm, add_service_error
from spool.web.markup import parse_spoilers, parse_styles
from spool.web.views.base import safe_next, signed_in, spool_errors
from spool.web.views.cards import card_for

COMPOSE_ALIASES = {**ComposeForm.ERROR_ALIASES, "file": "media"}


@signed_in
@spool_errors
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    if request.method == "POST":
        form = ComposeForm(request.POST)
        if form.is_valid():
            try:
                post = publish(viewer, form, request)
            except SpoolError as exc:
                add_service_error(form, exc, COMPOSE_ALIASES)
            else:
                return HttpResponseRedirect(after_posting(request, post))
        status = 422
    else:
        form = ComposeForm(
            initial={
                "quote_of": request.GET.get("quote") or None,
                "reply_to": request.GET.get("reply_to") or None,
            }
        )
        status = 200
    context = {
        "form": form,
        "nav": "compose",
        "next": request.POST.get("next", ""),
        **_context_posts(viewer, form),
    }
    return render(request, "web/compose.html", context, status=status)


def publish(viewer: Account, form: ComposeForm, request: HttpRequest) -> Post:
    """Upload the chosen images with their alt texts, then create the post — all or nothing."""
    data = form.cleaned_data
    text, spoilers = parse_spoilers(data["text"] or "")
    attachment_text, styles = parse_styles(data["attachment_text"] or "")
    files = request.FILES.getlist("media")
    # The service's own image-count rule, checked before any image is processed.
    check_media_ids(range(len(files)))
    alts = _alt_texts(request, data["alt_texts"] or "")
    with transaction.atomic():
        media_ids = [
            upload_media(viewer, upload, alts[i] if i < len(alts) else "").id
            for i, upload in enumerate(files)
        ]
        return create_post(
            viewer,
            text=text,
            topic=data["topic"] or "",
            spoilers=spoilers,
            media_ids=media_ids,
            media_spoiler=data["media_spoiler"],
            poll_options=form.poll_options(),
            reply_to_id=data["reply_to"],
            quote_of_id=data["quote_of"],
            reply_control=data["reply_control"] or "everyone",
            attachment_text=attachment_text,
            attachment_styles=styles,
            ghost=data["ghost"],
        )


def _alt_texts(request: HttpRequest, lines: str) -> list[str]:
    """One alt text per image: the per-image fields the script adds, else one line each of the textarea."""
    fields = request.POST.getlist("alt_text")
    if any(value.strip() for value in fields):
        return fields
    return lines.splitlines()


def after_posting(request: HttpRequest, post: Post) -> str:
    """Where to go once posted: a reply lands on its thread, anchored at the reply; a post on its own page."""
    if post.reply_to_id:
        parent = access_post(post.author, post.reply_to_id)
        target = safe_next(request, reverse("web:post", args=[parent.author.handle, parent.id]))
        return target if "#" in target else f"{target}#post-{post.id}"
    return reverse("web:post", args=[post.author.handle, post.id])


def _context_posts(viewer: Account, form: ComposeForm) -> dict[str, Any]:
    """The post being replied to or quoted, shown above the composer (``NotFound`` → 404)."""
    context: dict[str, Any] = {}
    for key, field in (("reply_card", "reply_to"), ("quote_card", "quote_of")):
        raw = form[field].value()
        if raw not in (None, ""):
            context[key] = card_for(viewer, access_post(viewer, raw).id)
    return context
