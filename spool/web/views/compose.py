"""The composer (``/compose``, also embedded on the home page and under a post as the reply box).

The form carries every post option; the only translation done here is from the page's plain-text syntaxes
(``||spoiler||``, attachment style markers, one alt-text line per image) to the arguments of
:func:`spool.posts.services.create_post`. Images are uploaded in the same transaction as the post, so a
refused post leaves no stray uploads in the database.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from spool.core.errors import SpoolError
from spool.core.text import find_hashtags
from spool.federation.degrade import Notice, PostFeatures, notices_for
from spool.federation.policy import federates
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
                _tell_what_degraded(request, viewer, post)
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
        **fediverse_note_context(viewer, request.POST if request.method == "POST" else None),
        **_context_posts(viewer, form),
    }
    return render(request, "web/compose.html", context, status=status)


@signed_in
@spool_errors
@require_POST
def fediverse_note(request: HttpRequest) -> HttpResponse:
    """The inside of the composer's "on the fediverse" note for the fields as they stand (htmx swaps it in as
    the person writes). For someone not sharing: the note's empty, inert wrapper in place of the live one, so
    no more requests come. Reads the form, writes nothing."""
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    context = fediverse_note_context(viewer, request.POST)
    if not context["federating"]:
        response = render(request, "web/_fediverse_note.html", context)
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "web/_fediverse_note_body.html", context)


def fediverse_note_context(viewer: Account, data: QueryDict | None) -> dict[str, Any]:
    """``federating`` and the ``fediverse_notices`` for the composer's fields ``data`` (none yet: empty);
    nothing to say when ``viewer`` does not federate."""
    if not federates(viewer):
        return {"federating": False, "fediverse_notices": []}
    return {"federating": True, "fediverse_notices": notices_for(_features(data)) if data else []}


def _features(data: QueryDict) -> PostFeatures:
    """The composer's raw fields as :class:`PostFeatures`, read leniently: the note follows the text as it
    is typed, before it is valid."""
    text = str(data.get("text") or "")
    _, spoilers = parse_spoilers(text)
    return PostFeatures(
        attachment_text=bool(str(data.get("attachment_text") or "").strip()),
        text_spoilers=bool(spoilers),
        topic=bool(str(data.get("topic") or "").strip().lstrip("#")) or bool(find_hashtags(text)),
        reply_control=str(data.get("reply_control") or "everyone"),
        ghost=data.get("ghost") in ("on", "true", "1"),
        is_reply=bool(data.get("reply_to")),
    )


def _tell_what_degraded(request: HttpRequest, viewer: Account, post: Post) -> None:
    """After posting, the same notes as a message — so people without JavaScript learn them too."""
    if not federates(viewer):
        return
    notices: list[Notice] = notices_for(PostFeatures.of_post(post))
    if notices:
        lines = " ".join(notice.message for notice in notices)
        messages.info(request, f"On the fediverse: {lines}")


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
        target = safe_next(request, reverse("web:post", args=[parent.author.acct, parent.id]))
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
