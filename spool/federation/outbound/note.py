"""A local post as a ``Note`` (or a ``Question`` when it has a poll), with what cannot travel degraded as
:func:`spool.federation.degrade.degradations_of` says (the composer shows the same list): a text attachment
becomes a link to the post (and Spool's ``attachmentText`` extension), text spoilers become a content
warning (``sensitive`` + ``summary``, and Spool's ``spoilerRanges`` extension), the topic a ``Hashtag``."""

from __future__ import annotations

from html import escape
from typing import Any

from spool.federation import ids
from spool.federation.degrade import Degradation, PostFeatures, degradations_of
from spool.federation.objects import actor_id, post_id_uri
from spool.federation.vocab import CONTEXT
from spool.posts.models import Media, Mention, Post
from spool.posts.rendering import render_post_text

SPOILER_WARNING = "Spoilers"


def audience(post: Post) -> tuple[list[str], list[str]]:
    """(to, cc): public profiles address everyone and cc their followers; private ones their followers
    only. Mentioned and replied-to actors are cc'd."""
    author = post.author
    followers = ids.followers_uri(author.pk)
    to, cc = ([followers], []) if author.is_private else ([ids.PUBLIC], [followers])
    mentioned = [actor_id(m.account) for m in Mention.objects.filter(post=post).select_related("account")]
    if post.reply_to_id is not None and post.reply_to is not None:
        mentioned.append(actor_id(post.reply_to.author))
    cc += [uri for uri in dict.fromkeys(mentioned) if uri and uri not in cc]
    return to, cc


def note(post: Post) -> dict[str, Any]:
    author = post.author
    uri = ids.post_uri(post.id)
    page = ids.post_page(author.handle, post.id)
    to, cc = audience(post)
    degraded = degradations_of(PostFeatures.of_post(post))
    content = f"<p>{render_post_text(post.text, (), mention_handles=())}</p>" if post.text else ""
    if Degradation.TEXT_ATTACHMENT in degraded:
        content += f'<p>Read the full text on Spool: <a href="{escape(page)}">{escape(page)}</a></p>'
    tags: list[dict[str, Any]] = []
    for mention in Mention.objects.filter(post=post).select_related("account"):
        href = actor_id(mention.account)
        if href:
            tags.append({"type": "Mention", "href": href, "name": f"@{mention.account.acct}"})
    if Degradation.TOPIC in degraded and post.topic is not None:
        name = post.topic.display.replace(" ", "")
        tags.append(
            {"type": "Hashtag", "name": f"#{name}", "href": f"{ids.base_url()}/topic/{post.topic.name}"}
        )
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": uri,
        "type": "Note",
        "attributedTo": ids.actor_uri(author.pk),
        "content": content,
        "url": page,
        "published": post.created_at.isoformat().replace("+00:00", "Z"),
        "to": to,
        "cc": cc,
        "sensitive": bool(post.spoilers or post.media_spoiler),
        "summary": SPOILER_WARNING if Degradation.TEXT_SPOILERS in degraded else None,
        "inReplyTo": post_id_uri(post.reply_to_id) if post.reply_to_id else None,
        "tag": tags,
        "attachment": [
            {
                "type": "Image",
                "mediaType": media.content_type,
                "url": ids.base_url() + media.file.url,
                "name": media.alt_text or None,
                "width": media.width,
                "height": media.height,
            }
            for media in Media.objects.filter(post=post).order_by("position")
        ],
    }
    if post.edited_at:
        document["updated"] = post.edited_at.isoformat().replace("+00:00", "Z")
    if post.quote_of_id:
        quoted = post_id_uri(post.quote_of_id)
        document.update({"quote": quoted, "quoteUrl": quoted, "_misskey_quote": quoted})
        document["tag"].append(
            {
                "type": "Link",
                "mediaType": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
                "href": quoted,
                "name": f"RE: {quoted}",
            }
        )
    if post.spoilers:
        document["spoilerRanges"] = post.spoilers
    if post.attachment_text:
        document["attachmentText"] = post.attachment_text
    if post.topic_id is not None and post.topic is not None:
        document["topic"] = post.topic.display
    if hasattr(post, "poll"):
        _as_question(post, document)
    return document


def _as_question(post: Post, document: dict[str, Any]) -> None:
    poll = post.poll
    document["type"] = "Question"
    document["endTime"] = poll.expires_at.isoformat().replace("+00:00", "Z")
    document["votersCount"] = poll.votes_count
    document["oneOf"] = [
        {
            "type": "Note",
            "name": option.text,
            "replies": {"type": "Collection", "totalItems": option.votes_count},
        }
        for option in poll.options.all()
    ]
    if poll.closed:
        document["closed"] = document["endTime"]
