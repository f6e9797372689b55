"""``/api/v1/statuses``: posting (with ``Idempotency-Key``), reading, threads, editing with history and
source, deleting, and the actions on a status (favourite, reblog, bookmark, pin, mute). Thin: parameters
are mapped onto ``spool.posts`` services and the result rendered as Mastodon entities.

How Mastodon's parameters meet Spool's rules:

- ``visibility``: a Spool post is public or followers-only by its author's privacy. ``private`` from a
  public profile and ``direct`` are refused (422) rather than published wider than asked; ``public`` and
  ``unlisted`` are accepted (a private profile's posts stay followers-only).
- ``spoiler_text``: Spool hides ranges of the text, not whole posts. A warning hides the whole text (its
  wording is not kept); ``spool[spoilers]`` gives exact ranges. Statuses with spoilers read "Spoiler".
- ``sensitive`` hides the images (Spool's media spoiler). Polls are single choice and open 24 hours
  (``poll[expires_in]`` and ``poll[hide_totals]`` are accepted, ``poll[multiple]=true`` refused).
- ``quoted_status_id`` quotes; ``spool[topic]``, ``spool[reply_control]``, ``spool[ghost]`` and
  ``spool[attachment_text]``/``spool[attachment_styles]`` reach the Threads features.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pydantic
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.common.idempotency import once
from spool.api.mastodon.auth import me, scoped, viewer
from spool.api.mastodon.entities import render_accounts, render_status, render_status_cards, render_statuses
from spool.api.mastodon.entities.accounts import render_account
from spool.api.mastodon.entities.common import absolute_links, iso, paragraph
from spool.api.mastodon.entities.media import render_media
from spool.api.mastodon.entities.statuses import SPOILER_WARNING
from spool.api.mastodon.pagination import Window, link_header
from spool.api.mastodon.params import read_params, validated
from spool.core.errors import NotFound, ValidationError
from spool.identities.access import can_see_posts_of
from spool.identities.models import Account, exclude_blocked
from spool.posts import services
from spool.posts.access import access_post, parse_post_id
from spool.posts.models import Like, Media, PollOption, Post, PostEdit, Repost
from spool.posts.rendering import render_post_text
from spool.posts.timelines import ReplyNode, thread

router = Router(tags=["statuses"])

MAX_IDS = 40


# --- Parameters ----------------------------------------------------------------------------------------


def _ranges(value: Any) -> Any:
    """``spool[spoilers]`` as sent: a list of ``[offset, length]``, or that list as a JSON string (forms)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("must be a JSON list of [offset, length] pairs") from None
    return value


class SpoolFields(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    topic: str | None = None
    spoilers: list[list[int]] | None = None
    reply_control: str = "everyone"
    ghost: bool = False
    attachment_text: str = ""
    attachment_styles: list[dict[str, Any]] | None = None

    @pydantic.field_validator("spoilers", "attachment_styles", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return _ranges(value)


class PollIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    options: list[str]
    expires_in: int | None = pydantic.Field(None, ge=0)
    multiple: bool = False
    hide_totals: bool = False


class StatusIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    status: str = ""
    media_ids: list[int] = []
    poll: PollIn | None = None
    in_reply_to_id: int | str | None = None
    quoted_status_id: int | str | None = None
    quote_approval_policy: str | None = None
    sensitive: bool = False
    spoiler_text: str = ""
    visibility: str | None = None
    language: str | None = pydantic.Field(None, max_length=16)
    scheduled_at: str | None = None
    spool: SpoolFields = SpoolFields()


VISIBILITIES = ("public", "unlisted", "private", "direct")


def _check_visibility(author: Account, visibility: str | None) -> None:
    if visibility in (None, "", "public", "unlisted"):
        return
    if visibility == "private":
        if author.is_private:
            return
        raise ValidationError(
            "Validation failed: posts follow your profile's privacy; make your profile private to post to "
            "followers only",
            code="visibility_unsupported",
            field="visibility",
        )
    if visibility == "direct":
        raise ValidationError(
            "Validation failed: Spool has no direct posts; send a message instead",
            code="visibility_unsupported",
            field="visibility",
        )
    raise ValidationError(
        f"Validation failed: visibility must be one of {', '.join(VISIBILITIES)}",
        code="invalid",
        field="visibility",
    )


def _spoilers(data: StatusIn, text: str, current: list[list[int]] | None = None) -> list[Any]:
    """Exact ranges from ``spool[spoilers]``; else a warning hides the whole text (or, on an edit that sends
    back the "Spoiler" warning Spool showed, keeps the ranges the post had when they still fit)."""
    if data.spool.spoilers is not None:
        return data.spool.spoilers
    warning = data.spoiler_text.strip()
    if not warning or not text:
        return []
    if current and warning == SPOILER_WARNING and all(o + n <= len(text) for o, n in current):
        return current
    return [[0, len(text)]]


# --- Creating ------------------------------------------------------------------------------------------


def _create(author: Account, params: dict[str, Any]) -> dict[str, Any]:
    data = validated(StatusIn, params)
    _check_visibility(author, data.visibility)
    if data.scheduled_at:
        raise ValidationError(
            "Validation failed: scheduled posts are not supported", code="unsupported", field="scheduled_at"
        )
    if data.poll is not None and data.poll.multiple:
        raise ValidationError(
            "Validation failed: Spool polls are single choice", code="invalid_poll", field="poll.multiple"
        )
    post = services.create_post(
        author,
        text=data.status,
        topic=data.spool.topic or "",
        spoilers=_spoilers(data, data.status),
        media_ids=data.media_ids,
        media_spoiler=data.sensitive,
        poll_options=data.poll.options if data.poll is not None else None,
        reply_to_id=data.in_reply_to_id,
        quote_of_id=data.quoted_status_id,
        reply_control=data.spool.reply_control,
        attachment_text=data.spool.attachment_text,
        attachment_styles=data.spool.attachment_styles or (),
        ghost=data.spool.ghost,
    )
    return render_status(author, post)


@router.post("/v1/statuses", auth=scoped("write:statuses"))
def create_status(request: HttpRequest) -> dict[str, Any]:
    """Publish a status. The same ``Idempotency-Key`` from the same account within an hour returns the
    first status instead of posting again."""
    author = me(request)
    params = read_params(request)
    key = request.headers.get("Idempotency-Key")
    result: dict[str, Any] = once("statuses", author.pk, key, lambda: _create(author, params))
    return result


# --- Reading -------------------------------------------------------------------------------------------


def _fresh(post: Post) -> Post:
    """The post re-read with its counters (services change them with ``F()``)."""
    return Post.objects.for_cards().get(pk=post.pk)


@router.get("/v1/statuses", auth=scoped("read:statuses", optional=True))
def get_statuses(request: HttpRequest) -> list[dict[str, Any]]:
    """Several statuses (``id[]``); ones missing or not visible are left out."""
    raw = read_params(request).get("id", [])
    ids = []
    for value in (raw if isinstance(raw, list) else [raw])[:MAX_IDS]:
        try:
            ids.append(parse_post_id(value))
        except NotFound:
            continue
    caller = viewer(request)
    found = Post.objects.visible_to(caller).for_cards().in_bulk(ids)
    return render_statuses(caller, [found[i] for i in dict.fromkeys(ids) if i in found])


@router.get("/v1/statuses/{status_id}", auth=scoped("read:statuses", optional=True))
def get_status(request: HttpRequest, status_id: str) -> dict[str, Any]:
    """A status; a reblog's ID gives the reblog (the repost wrapping a status the caller may see)."""
    caller = viewer(request)
    try:
        return render_status(caller, access_post(caller, status_id))
    except NotFound:
        visible = Post.objects.visible_to(caller).filter(id=OuterRef("post_id"))
        repost = (
            Repost.objects.filter(id=parse_post_id(status_id), account__is_active=True)
            .filter(Exists(visible))
            .first()
        )
        if repost is None or not can_see_posts_of(caller, repost.account):
            raise
        return render_status(caller, repost)


def _depth_first(nodes: list[ReplyNode]) -> list[Any]:
    cards = []
    for node in nodes:
        cards.append(node.card)
        cards += _depth_first(node.children)
    return cards


@router.get("/v1/statuses/{status_id}/context", auth=scoped("read:statuses", optional=True))
def context(request: HttpRequest, status_id: str) -> dict[str, Any]:
    """Ancestors (root first, at most 30) and descendants (depth first, at most 150 replies six levels
    deep), each visible to the caller."""
    caller = viewer(request)
    found = thread(caller, status_id)
    descendants = _depth_first(found.replies)
    rendered = render_status_cards(caller, [*found.ancestors, *descendants])
    split = len(found.ancestors)
    return {"ancestors": rendered[:split], "descendants": rendered[split:]}


@router.get("/v1/statuses/{status_id}/history", auth=scoped("read:statuses", optional=True))
def history(request: HttpRequest, status_id: str) -> list[dict[str, Any]]:
    """Every version, oldest first, the current one last (``StatusEdit``)."""
    caller = viewer(request)
    post = access_post(caller, status_id)
    media = [render_media(m) for m in Media.objects.filter(post=post).order_by("position")]
    options = list(PollOption.objects.filter(poll_id=post.pk).values_list("text", flat=True))
    poll = {"options": [{"title": text} for text in options]} if options else None
    account = render_account(caller, post.author)
    current = PostEdit(
        text=post.text,
        spoilers=post.spoilers,
        media_spoiler=post.media_spoiler,
        created_at=post.edited_at or post.created_at,
    )
    versions = [*PostEdit.objects.filter(post=post).order_by("created_at", "id"), current]
    return [
        {
            "content": paragraph(absolute_links(render_post_text(version.text, version.spoilers))),
            "spoiler_text": SPOILER_WARNING if version.spoilers else "",
            "sensitive": version.media_spoiler or bool(version.spoilers),
            "created_at": iso(version.created_at),
            "account": account,
            "media_attachments": media,
            "emojis": [],
            "poll": poll,
        }
        for version in versions
    ]


@router.get("/v1/statuses/{status_id}/source", auth=scoped("read:statuses"))
def source(request: HttpRequest, status_id: str) -> dict[str, Any]:
    """The plain text of one's own status, for editing (others' statuses: 404)."""
    post = _own(me(request), status_id)
    return {
        "id": str(post.pk),
        "text": post.text,
        "spoiler_text": SPOILER_WARNING if post.spoilers else "",
        "spool": {"topic": post.topic.display if post.topic else None, "spoilers": post.spoilers},
    }


def _own(actor: Account, status_id: str) -> Post:
    post = access_post(actor, status_id)
    if post.author_id != actor.pk:
        raise NotFound("Record not found")
    return post


# --- Editing and deleting -----------------------------------------------------------------------------


class StatusEditIn(StatusIn):
    media_ids: list[int] | None = None  # type: ignore[assignment]


@router.put("/v1/statuses/{status_id}", auth=scoped("write:statuses"))
def edit_status(request: HttpRequest, status_id: str) -> dict[str, Any]:
    """Edit the text, warning, sensitivity and (with ``spool[topic]``) topic within 15 minutes of posting.
    Images and polls can't be changed: sending different ones is refused (422)."""
    editor = me(request)
    post = _own(editor, status_id)
    data = validated(StatusEditIn, read_params(request))
    if data.media_ids is not None:
        current = list(Media.objects.filter(post=post).order_by("position").values_list("id", flat=True))
        if list(dict.fromkeys(data.media_ids)) != current:
            raise ValidationError(
                "Validation failed: images can't be changed after posting", code="invalid", field="media_ids"
            )
    if data.poll is not None:
        current_options = list(PollOption.objects.filter(poll_id=post.pk).values_list("text", flat=True))
        if data.poll.options != current_options:
            raise ValidationError(
                "Validation failed: polls can't be changed after posting", code="invalid", field="poll"
            )
    topic = data.spool.topic if data.spool.topic is not None else (post.topic.display if post.topic else "")
    edited = services.edit_post(
        editor,
        post.pk,
        text=data.status,
        spoilers=_spoilers(data, data.status, post.spoilers),
        topic=topic,
        media_spoiler=data.sensitive,
        attachment_text=data.spool.attachment_text or None,
        attachment_styles=data.spool.attachment_styles,
    )
    return render_status(editor, edited)


@router.delete("/v1/statuses/{status_id}", auth=scoped("write:statuses"))
def delete_status(request: HttpRequest, status_id: str) -> dict[str, Any]:
    """Delete one's own status; the answer carries its ``text`` for delete-and-redraft."""
    actor = me(request)
    post = _own(actor, status_id)
    rendered = render_status(actor, post)
    services.delete_post(actor, post.pk)
    rendered["text"] = post.text
    return rendered


# --- Actions ----------------------------------------------------------------------------------------------


# Actions that answer with the status: (path, scope, service). Each service checks the status is visible
# and idempotent; the status is re-read for its counters.
_ACTIONS: tuple[tuple[str, str, Callable[[Account, Any], Post]], ...] = (
    ("favourite", "write:favourites", services.like_post),
    ("unfavourite", "write:favourites", services.unlike_post),
    ("unreblog", "write:statuses", services.undo_repost),
    ("bookmark", "write:bookmarks", services.save_post),
    ("unbookmark", "write:bookmarks", services.unsave_post),
    # Pinning is for one's own statuses, at most five.
    ("pin", "write:accounts", services.pin_post),
    ("unpin", "write:accounts", services.unpin_post),
    # Muting a status mutes the notifications of its whole thread.
    ("mute", "write:mutes", services.mute_conversation),
    ("unmute", "write:mutes", services.unmute_conversation),
)


def _action(service: Callable[[Account, Any], Post]) -> Callable[[HttpRequest, str], dict[str, Any]]:
    def act(request: HttpRequest, status_id: str) -> dict[str, Any]:
        actor = me(request)
        return render_status(actor, _fresh(service(actor, status_id)))

    return act


for _name, _scope, _service in _ACTIONS:
    router.post(f"/v1/statuses/{{status_id}}/{_name}", auth=scoped(_scope), operation_id=f"status_{_name}")(
        _action(_service)
    )


@router.post("/v1/statuses/{status_id}/reblog", auth=scoped("write:statuses"))
def reblog(request: HttpRequest, status_id: str) -> dict[str, Any]:
    """Repost; the answer is the reblog (the repost wrapping the status). ``visibility`` is accepted."""
    actor = me(request)
    post = services.repost_post(actor, status_id)
    repost = Repost.objects.select_related("account").get(account=actor, post_id=post.pk)
    return render_status(actor, repost)


# --- Lists about a status ------------------------------------------------------------------------------


def _who(
    request: HttpRequest, response: HttpResponse, status_id: str, model: type[Like] | type[Repost]
) -> Any:
    """Accounts that liked or reposted a status, newest first, paged by the action. Others' ghost posts
    keep these to their author, as their counts."""
    caller = viewer(request)
    post = access_post(caller, status_id)
    if post.ghost and (caller is None or caller.pk != post.author_id):
        return []
    window = Window.from_request(request, default=40, cap=80)
    rows = exclude_blocked(
        model.objects.filter(post=post, account__is_active=True), caller, field="account_id"
    ).select_related("account")
    page = window.apply(rows)
    link_header(request, response, [row.id for row in page])
    return render_accounts(caller, [row.account for row in page])


@router.get("/v1/statuses/{status_id}/favourited_by", auth=scoped("read:accounts", optional=True))
def favourited_by(request: HttpRequest, status_id: str, response: HttpResponse) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _who(request, response, status_id, Like)
    return result


@router.get("/v1/statuses/{status_id}/reblogged_by", auth=scoped("read:accounts", optional=True))
def reblogged_by(request: HttpRequest, status_id: str, response: HttpResponse) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _who(request, response, status_id, Repost)
    return result


@router.get("/v1/statuses/{status_id}/quotes", auth=scoped("read:statuses"))
def quotes(request: HttpRequest, status_id: str, response: HttpResponse) -> list[dict[str, Any]]:
    """Statuses quoting this one that the caller may see, newest first."""
    caller = viewer(request)
    post = access_post(caller, status_id)
    window = Window.from_request(request, default=20, cap=40)
    page = window.apply(Post.objects.visible_to(caller).for_cards().filter(quote_of_id=post.pk))
    link_header(request, response, [p.id for p in page])
    return render_statuses(caller, page)
