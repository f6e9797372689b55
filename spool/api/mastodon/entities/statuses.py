"""Mastodon ``Status`` from Spool posts, a page at a time.

``render_statuses(viewer, items)`` takes posts, ``Repost`` rows (rendered as Mastodon's reblog wrapper: the
repost's ID and time, the reposter as ``account``, the post under ``reblog``) or ``FeedEntry``s, mixed, and
costs a fixed number of queries whatever the page holds: :func:`spool.posts.batch.build_cards` (at most 8)
plus one for the viewer's pins and muted conversations, plus two when ``Repost`` rows arrive without their
post and reposter loaded. The caller has decided the items are visible to ``viewer``.

Threads features map onto Mastodon's fields: the topic is the status's single tag (and ``spool.topic``);
text spoilers are ranges in ``spool.spoilers`` and, so that Mastodon clients hide the text until asked,
``spoiler_text`` reads "Spoiler" while a post has any; a media spoiler is ``sensitive``; a post moderators
marked sensitive is ``sensitive`` with ``spoiler_text`` "Sensitive content" (its text too); a quote is
Mastodon 4.5's ``quote``; reply controls and ghost posts are in ``spool``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Value

from spool.api.mastodon.entities.accounts import profile_url, render_account
from spool.api.mastodon.entities.common import absolute, absolute_links, iso, paragraph
from spool.api.mastodon.entities.media import render_media
from spool.api.mastodon.entities.polls import poll_entity
from spool.api.mastodon.entities.tags import status_tag
from spool.core.snowflake import time_of
from spool.federation.origins import Origin, account_origins, post_origins
from spool.identities.models import Account
from spool.posts.batch import CONTENT_WARNING, FeedEntry, PostCard, build_cards
from spool.posts.conversations import conversation_root
from spool.posts.models import ConversationMute, LinkCard, PinnedPost, Post, Repost

SPOILER_WARNING = "Spoiler"

StatusItem = Post | Repost | FeedEntry


@dataclass
class _ViewerFlags:
    """What a page's statuses need beyond their cards: the viewer's pins and muted threads, and where the
    remote posts and accounts on it live (their ids and pages on their servers)."""

    pinned: set[int] = field(default_factory=set)
    muted_roots: set[int] = field(default_factory=set)
    accounts: dict[int, Origin] = field(default_factory=dict)
    posts: dict[int, Origin] = field(default_factory=dict)


def status_url(author: Account, post_id: int) -> str:
    """The post's page on this server (``/@user@server/post/<id>`` for a remote author's)."""
    return absolute(f"/@{author.acct}/post/{post_id}")


def _entries(items: Sequence[StatusItem]) -> list[FeedEntry]:
    """Items as feed entries; posts and reposters of ``Repost`` rows not loaded with them are loaded here,
    one query each for the whole page."""
    reposts = [item for item in items if isinstance(item, Repost)]
    posts: dict[int, Post] = {}
    accounts: dict[int, Account] = {}
    if reposts:
        missing_posts = {r.post_id for r in reposts if "post" not in r._state.fields_cache}
        if missing_posts:
            posts = Post.objects.for_cards().in_bulk(missing_posts)
        missing_accounts = {r.account_id for r in reposts if "account" not in r._state.fields_cache}
        if missing_accounts:
            accounts = Account.objects.in_bulk(missing_accounts)
    entries = []
    for item in items:
        if isinstance(item, FeedEntry):
            entries.append(item)
        elif isinstance(item, Repost):
            post = posts.get(item.post_id) or item.post
            reposter = accounts.get(item.account_id) or item.account
            entries.append(FeedEntry(post, reposted_by=reposter, repost_id=item.id))
        else:
            entries.append(FeedEntry(item))
    return entries


def _viewer_flags(viewer: Account | None, cards: Sequence[PostCard]) -> _ViewerFlags:
    """Which of the page's posts the viewer pinned and which threads they muted: one query."""
    flags = _ViewerFlags()
    if viewer is None or not cards:
        return flags
    shown = [*cards, *(c.quote for c in cards if c.quote is not None)]
    own = [c.id for c in shown if c.author.pk == viewer.pk]
    roots = list({conversation_root(c.post) for c in shown})
    rows = ConversationMute.objects.filter(account_id=viewer.pk, root_id__in=roots).values_list(
        "root_id", Value("mute", output_field=CharField())
    )
    if own:
        rows = rows.union(
            PinnedPost.objects.filter(account_id=viewer.pk, post_id__in=own).values_list(
                "post_id", Value("pin", output_field=CharField())
            ),
            all=True,
        )
    for key, kind in rows:
        (flags.pinned if kind == "pin" else flags.muted_roots).add(key)
    return flags


def _preview_card(card: LinkCard | None) -> dict[str, Any] | None:
    if card is None:
        return None
    return {
        "url": card.url,
        "title": card.title,
        "description": card.description,
        "type": "link",
        "author_name": "",
        "author_url": "",
        "authors": [],
        "provider_name": card.site_name,
        "provider_url": "",
        "html": "",
        "width": 0,
        "height": 0,
        "image": card.image_url or None,
        "image_description": "",
        "embed_url": "",
        "blurhash": None,
        "published_at": None,
    }


def _quotable_by(viewer: Account | None, card: PostCard) -> str:
    if viewer is None:
        return "unknown"
    if card.is_ghost or (card.author.is_private and card.author.pk != viewer.pk):
        return "denied"
    return "automatic"


def _mention(mention: tuple[int, str, str], origins: Mapping[int, Origin]) -> dict[str, str]:
    """A Status Mention: ``acct`` bare for a local account, ``user@server`` for a remote one, whose ``url``
    is its page on its own server (its page here when we hold no actor for it)."""
    account_id, handle, domain = mention
    acct = f"{handle}@{domain}" if domain else handle
    origin = origins.get(account_id) if domain else None
    url = origin.url if origin is not None else absolute(f"/@{acct}")
    return {"id": str(account_id), "username": handle, "acct": acct, "url": url}


def _origins(cards: Sequence[PostCard], flags: _ViewerFlags) -> None:
    """Fill in where the page's remote posts and accounts (authors, reposters, mentioned) live: two
    queries, none for a local page."""
    shown = [*cards, *(c.quote for c in cards if c.quote is not None)]
    people = [c.author for c in shown] + [c.reposted_by for c in cards if c.reposted_by is not None]
    mentioned = [account_id for c in shown for account_id, _, domain in c.mentions if domain]
    flags.accounts = account_origins([*(a.pk for a in people if not a.is_local), *mentioned])
    flags.posts = post_origins(c.id for c in shown if not c.author.is_local)


def _status(
    viewer: Account | None, card: PostCard, flags: _ViewerFlags, *, nested: bool = False
) -> dict[str, Any]:
    post = card.post
    author = card.author
    origin = flags.posts.get(card.id) if not author.is_local else None
    uri = url = status_url(author, card.id)
    if origin is not None:  # a remote post: its ActivityPub id, and its page on its own server
        uri, url = origin.uri, origin.url
    content = paragraph(absolute_links(card.html))
    if card.attachment_html:
        content += paragraph(absolute_links(card.attachment_html))
    quote: dict[str, Any] | None = None
    if post.quote_of_id:
        if nested:
            quote = {"state": "accepted", "quoted_status_id": str(post.quote_of_id)}
        elif card.quote is not None:
            quote = {"state": "accepted", "quoted_status": _status(viewer, card.quote, flags, nested=True)}
        else:
            quote = {"state": "unauthorized", "quoted_status": None}
    quotable = not card.is_ghost and not author.is_private
    return {
        "id": str(card.id),
        "created_at": iso(card.created_at),
        "edited_at": iso(card.edited_at),
        "in_reply_to_id": str(post.reply_to_id) if post.reply_to_id else None,
        "in_reply_to_account_id": str(post.reply_to_author_id)
        if post.reply_to_id and post.reply_to_author_id
        else None,
        "sensitive": card.sensitive or card.media_spoiler or bool(card.spoilers),
        "spoiler_text": CONTENT_WARNING if card.sensitive else SPOILER_WARNING if card.spoilers else "",
        "visibility": "private" if author.is_private else "public",
        "language": None,
        "uri": uri,
        "url": url,
        "replies_count": card.replies_count or 0,
        "reblogs_count": card.reposts_count or 0,
        "favourites_count": card.likes_count or 0,
        "quotes_count": card.quotes_count or 0,
        "favourited": card.viewer_liked,
        "reblogged": card.viewer_reposted,
        "muted": conversation_root(post) in flags.muted_roots,
        "bookmarked": card.viewer_saved,
        "pinned": card.id in flags.pinned,
        "content": content,
        "filtered": [],
        "reblog": None,
        "application": None,
        "account": render_account(viewer, author, flags.accounts),
        "media_attachments": [render_media(m) for m in card.media],
        "mentions": [_mention(mention, flags.accounts) for mention in card.mentions],
        "tags": [status_tag(card.topic)] if card.topic is not None else [],
        "emojis": [],
        "card": _preview_card(card.link_card),
        "poll": poll_entity(viewer, card.id, card.poll) if card.poll is not None else None,
        "quote": quote,
        "quote_approval": {
            "automatic": ["public"] if quotable else [],
            "manual": [],
            "current_user": _quotable_by(viewer, card),
        },
        "spool": {
            "topic": card.topic.display if card.topic is not None else None,
            "spoilers": card.spoilers,
            "media_spoiler": card.media_spoiler,
            "sensitive": card.sensitive,
            "reply_control": card.reply_control,
            "ghost": card.is_ghost,
            "ghost_archived": card.ghost_archived,
            "expires_at": iso(card.expires_at),
            "counts_hidden": card.counts_hidden,
            "hidden": card.hidden,
            "attachment": {"text": card.attachment_text, "styles": post.attachment_styles}
            if card.attachment_text
            else None,
        },
    }


def _reblog(
    viewer: Account | None, card: PostCard, flags: _ViewerFlags, inner: dict[str, Any]
) -> dict[str, Any]:
    """Mastodon's wrapper for a repost: its own ID, time and account; the post under ``reblog``."""
    reposter = card.reposted_by
    assert reposter is not None and card.repost_id is not None
    return reblog_wrapper(
        card.repost_id,
        reposter.is_private,
        profile_url(reposter),
        render_account(viewer, reposter, flags.accounts),
        inner,
    )


def reblog_wrapper(
    repost_id: int, private: bool, reposter_url: str, account: dict[str, Any], inner: dict[str, Any]
) -> dict[str, Any]:
    """The reblog wrapper from the reposter's rendered ``account`` (and whether they are private, and their
    profile URL) around the rendered status ``inner``."""
    return {
        **inner,
        "id": str(repost_id),
        "created_at": iso(time_of(repost_id)),
        "edited_at": None,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "private" if private else "public",
        "uri": f"{reposter_url}/repost/{repost_id}",
        "url": inner["url"],
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "quotes_count": 0,
        "pinned": False,
        "content": "",
        "account": account,
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "card": None,
        "poll": None,
        "quote": None,
        "quote_approval": None,
        "reblog": inner,
        "spool": {"repost": True},
    }


def render_status_cards(
    viewer: Account | None, cards: Sequence[PostCard], *, known: tuple[set[int], set[int]] | None = None
) -> list[dict[str, Any]]:
    """Statuses from cards already built (``spool.posts.timelines`` returns them): one more query, none
    when the caller read the viewer's flags already: ``known`` as (pinned post IDs, muted conversation
    roots), used only when no card quotes a post (a quoted post's flags are not among them)."""
    if known is not None and all(c.quote is None for c in cards):
        flags = _ViewerFlags(pinned=set(known[0]), muted_roots=set(known[1]))
    else:
        flags = _viewer_flags(viewer, cards)
    _origins(cards, flags)
    result = []
    for card in cards:
        status = _status(viewer, card, flags)
        result.append(_reblog(viewer, card, flags, status) if card.reposted_by is not None else status)
    return result


def render_statuses(viewer: Account | None, items: Sequence[StatusItem]) -> list[dict[str, Any]]:
    """Statuses for ``items`` (posts, ``Repost`` rows, ``FeedEntry``s), in order, batched."""
    if not items:
        return []
    return render_status_cards(viewer, build_cards(viewer, _entries(items)))


def render_status(viewer: Account | None, item: StatusItem) -> dict[str, Any]:
    return render_statuses(viewer, [item])[0]


def render_reblogs(viewer: Account | None, reposts: Sequence[Repost]) -> list[dict[str, Any]]:
    """``Repost`` rows as Mastodon reblog wrappers."""
    return render_statuses(viewer, reposts)
