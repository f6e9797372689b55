"""Turning a remote ``Note`` into a Spool post (and an edit of one), shared by ``Create``, ``Update`` and
``Announce``.

Mapping: HTML content → plain text; ``summary`` (content warning) → shown first, the rest hidden behind a
spoiler (Spool's own ``spoilerRanges`` extension wins when present); the first ``Hashtag`` → the topic;
``Mention`` tags → mentions of the accounts we know; ``inReplyTo`` → the parent, fetched up the thread at
most ``MAX_DEPTH`` posts; ``quote``/``quoteUrl``/``quoteUri``/``_misskey_quote``/FEP-e232 links → the quoted
post; attachments kept with their alt text on ``RemotePost``.

What is stored: public posts, and followers-only posts of locked (private) accounts, which Spool's
``visible_to`` then shows to their followers only. Direct messages and followers-only posts of unlocked
accounts are not stored (Spool has no per-post audience to keep them private).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError

from spool.core import savepoints
from spool.core.compiled import compiled
from spool.core.inserts import insert
from spool.federation.actors import account_for_actor, known_account
from spool.federation.fetch import RemoteError, fetch_object
from spool.federation.models import RemotePost
from spool.federation.objects import actor_id, post_for_uri
from spool.federation.policy import domain_of
from spool.federation.remembered import present, remembered
from spool.federation.vocab import Note
from spool.identities.models import Account, Follow
from spool.media.models import RemoteImage
from spool.media.remote import remember_image
from spool.posts.models import Post, Topic
from spool.posts.services.remote import (
    OPTION_MAX,
    POLL_SIZES,
    count_remote_poll,
    receive_remote_post,
    revise_remote_post,
)
from spool.posts.services.topics import topic_for

MAX_DEPTH = 5
SPOOL_FALLBACK = "Read the full text on Spool:"


class IgnoredNote(Exception):
    """The note is not stored; the message says why."""


def _body(note: Note) -> tuple[str, list[list[int]]]:
    text = note.text
    if note.attachment_text:
        lines = text.rstrip().split("\n")
        if lines and lines[-1].startswith(SPOOL_FALLBACK):
            text = "\n".join(lines[:-1]).rstrip()
    if note.spoiler_ranges is not None:
        return text, [r for r in note.spoiler_ranges if isinstance(r, list) and len(r) == 2]
    if note.summary:
        body = text
        text = f"{note.summary}\n\n{body}" if body else note.summary
        return text, ([[len(note.summary) + 2, len(body)]] if body else [])
    return text, []


def _mentioned(note: Note) -> list[Account]:
    found = [known_account(href) for href in note.mentions[:50]]
    return [account for account in found if account is not None]


def _interesting(
    author: Account, mentioned: list[Account], reply_to: Post | None, quote_of: Post | None
) -> bool:
    """Whether anyone here has a reason to see it: a follower of the author, a mention, or a reply to/quote
    of a post we hold (unsolicited posts from strangers are not stored)."""
    if remembered(("followed here", author.pk), lambda: bool(_FOLLOWED_HERE.run(raw=True, author=author.pk))):
        return True
    if any(a.is_local for a in mentioned):
        return True
    return any(p is not None and p.author.is_local for p in (reply_to, quote_of))


# Asked for nearly every Create: compiled once per process (:mod:`spool.core.compiled`).
_FOLLOWED_HERE = compiled(
    lambda author: Follow.objects.filter(followee_id=author, follower__domain="").values_list("pk")[:1],
    ints=("author",),
)


def resolve_post(uri: str, *, depth: int = 0) -> Post | None:
    """The post ``uri`` names: held already, or fetched and stored (up to ``MAX_DEPTH`` levels up)."""
    if not uri:
        return None
    found = post_for_uri(uri)
    if found is not None or depth >= MAX_DEPTH:
        return found
    return ingest_note(fetch_object(uri), depth=depth + 1)


def ingest_note(
    data: dict[str, Any] | Note,
    *,
    depth: int = 0,
    require_interest: bool = False,
    author: Account | None = None,
) -> Post | None:
    """Store the post described by ``data`` (a Note-like object, or the :class:`Note` the caller parsed
    from it already) unless held already; returns it. ``author``: the account of ``attributedTo`` when the
    caller holds it already (a ``Create`` by its author); otherwise it is looked up, or fetched."""
    note = data if isinstance(data, Note) else Note.from_json(data)
    existing = post_for_uri(note.id)
    if existing is not None:
        return existing
    if domain_of(note.id) != domain_of(note.attributed_to):
        raise IgnoredNote("the post and its author are on different servers")
    if author is None:
        author = account_for_actor(note.attributed_to)
    if author.is_local:
        raise IgnoredNote("posts by our own accounts are not taken from elsewhere")
    if not note.public and not author.is_private:
        raise IgnoredNote("followers-only posts of unlocked accounts and direct messages are not stored")
    reply_to = _parent(note.in_reply_to, depth)
    quote_of = _parent(note.quote, depth)
    mentioned = _mentioned(note)
    if require_interest and not _interesting(author, mentioned, reply_to, quote_of):
        raise IgnoredNote("nobody here follows the author or is addressed")
    text, spoilers = _body(note)
    options = note.poll_options
    if options is not None and not _holdable(options):
        # More options, or longer ones, than a Spool poll has: shown as text instead.
        text = "\n".join([text, *(f"○ {option}" for option in options)]).strip()
        options = None
    try:
        with savepoints.atomic():  # none on the inbox's first pass (:mod:`spool.core.savepoints`)
            post = receive_remote_post(
                author,
                text=text,
                spoilers=spoilers,
                topic=note.topic or (note.hashtags[0] if note.hashtags else ""),
                media_spoiler=note.sensitive and bool(note.attachments),
                reply_to=reply_to,
                is_reply=bool(note.in_reply_to),
                quote_of=quote_of,
                mentioned=mentioned,
                attachment_text=note.attachment_text,
                created_at=note.published,
                poll_options=options,
                poll_closes_at=note.poll_end,
                find_topic=_topic,
            )
            if options is not None:
                count_remote_poll(post, note.poll_counts)
            present(("post", note.id))  # held now: no longer among the batch's new posts
            insert(
                RemotePost(
                    post=post,
                    uri=note.id,
                    url=note.url,
                    attachments=[
                        {"url": a.url, "media_type": a.media_type, "alt": a.alt} for a in note.attachments
                    ],
                )
            )
            for position, attachment in enumerate(note.attachments):
                # A reference only: the image is fetched when someone first looks at it.
                remember_image(
                    attachment.url,
                    RemoteImage.Kind.ATTACHMENT,
                    post_id=post.pk,
                    position=position,
                    alt_text=attachment.alt,
                    declared_type=attachment.media_type,
                )
    except IntegrityError:  # the same post arrived twice at once
        present(("post", note.id))
        return post_for_uri(note.id)
    return post


def _topic(display: str) -> Topic | None:
    """:func:`topic_for`, remembered for the rest of the batch (most posts of a batch share a few tags)."""
    if not display:
        return None
    return remembered(("topic", display), lambda: topic_for(display))


def _holdable(options: list[str]) -> bool:
    return POLL_SIZES[0] <= len(options) <= POLL_SIZES[1] and all(1 <= len(o) <= OPTION_MAX for o in options)


def _parent(uri: str, depth: int) -> Post | None:
    if not uri:
        return None
    try:
        return resolve_post(uri, depth=depth)
    except (RemoteError, IgnoredNote, ValueError):
        return None  # kept as a reply whose parent we could not fetch


def revise_note(data: dict[str, Any], actor: Account) -> Post:
    """Apply an edit of a post we hold (only its author may edit it)."""
    note = Note.from_json(data)
    post = post_for_uri(note.id)
    if post is None:
        raise IgnoredNote("unknown post")
    if post.author_id != actor.pk or note.attributed_to != actor_id(actor):
        raise IgnoredNote("only the author can edit a post")
    text, spoilers = _body(note)
    if note.poll_options is not None:
        count_remote_poll(post, note.poll_counts)
    return revise_remote_post(
        post,
        text=text,
        spoilers=spoilers,
        topic=note.topic or (note.hashtags[0] if note.hashtags else ""),
        media_spoiler=note.sensitive and bool(note.attachments),
        mentioned=_mentioned(note),
        attachment_text=note.attachment_text,
    )
