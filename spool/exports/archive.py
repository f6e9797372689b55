"""Writing the data export: a ZIP of JSON files with what a person put into Spool and what they can see
of their conversations.

Only the person's own data goes in: their profile and settings, their posts (with references to their
media), the posts they liked, reposted and saved (as references: ID, link, author — not the other people's
text), the people they follow and who follow them, and the direct messages they can see (exactly the
messages :func:`spool.messaging.access.visible_messages` shows them; "deleted for me" stays deleted).

Rows are read with ``iterator()`` and written to the ZIP one by one into a temporary file that spills to
disk past ``SPOOL_MEMORY``, so a large account does not need its whole history in memory.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import QuerySet

from spool.identities.models import Account, Follow
from spool.messaging.access import visible_messages
from spool.posts.models import Like, Media, Post, Repost, Save

SPOOL_MEMORY = 8 * 1024 * 1024
BATCH = 500


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _post_link(handle: str, post_id: int) -> str:
    return f"/@{handle}/post/{post_id}"


def _write_array(archive: zipfile.ZipFile, name: str, rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` as a JSON array to ``name`` in ``archive``, one row at a time; returns the count."""
    count = 0
    with archive.open(name, "w") as out:
        out.write(b"[")
        for row in rows:
            out.write((b",\n" if count else b"\n") + json.dumps(row, ensure_ascii=False).encode())
            count += 1
        out.write(b"\n]\n")
    return count


def _profile(account: Account) -> dict[str, Any]:
    user: Any = account.user
    return {
        "id": str(account.pk),
        "handle": account.handle,
        "display_name": account.display_name,
        "bio": account.bio,
        "links": account.links,
        "is_private": account.is_private,
        "created_at": _when(account.created_at),
        "email": user.email,
        "birth_date": user.birth_date.isoformat() if user.birth_date else None,
        "direct_messages_from": user.dm_policy,
    }


def _posts(account: Account) -> Iterator[dict[str, Any]]:
    media: dict[int, list[dict[str, Any]]] = {}
    for item in Media.objects.filter(owner=account, post__isnull=False).order_by("post_id", "position"):
        media.setdefault(item.post_id or 0, []).append(
            {"url": item.file.url, "content_type": item.content_type, "alt_text": item.alt_text}
        )
    rows = Post.objects.filter(author=account).order_by("id")
    for post in rows.iterator(chunk_size=BATCH):
        yield {
            "id": str(post.pk),
            "url": _post_link(account.handle, post.pk),
            "text": post.text,
            "created_at": _when(post.created_at),
            "edited_at": _when(post.edited_at),
            "reply_to": str(post.reply_to_id) if post.reply_to_id else None,
            "quote_of": str(post.quote_of_id) if post.quote_of_id else None,
            "media": media.get(post.pk, []),
        }


def _references(qs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    rows = qs.select_related("post__author").order_by("id").iterator(chunk_size=BATCH)
    for row in rows:
        post = row.post
        yield {
            "post_id": str(post.pk),
            "url": _post_link(post.author.handle, post.pk),
            "author": post.author.acct,
            "at": _when(row.created_at),
        }


def _people(qs: QuerySet[Follow], side: str) -> Iterator[dict[str, Any]]:
    for edge in qs.select_related(side).order_by("id").iterator(chunk_size=BATCH):
        person = getattr(edge, side)
        yield {"id": str(person.pk), "handle": person.handle, "domain": person.domain or None}


def _messages(account: Account) -> Iterator[dict[str, Any]]:
    rows = visible_messages(account).select_related("sender").distinct().order_by("id")
    for message in rows.iterator(chunk_size=BATCH):
        unsent = message.unsent_at is not None
        yield {
            "id": str(message.pk),
            "conversation_id": str(message.conversation_id),
            "from": message.sender.handle if message.sender_id and message.sender else None,
            "kind": message.kind,
            "text": "" if unsent else message.text,
            "shared_post_id": str(message.shared_post_id) if message.shared_post_id and not unsent else None,
            "created_at": _when(message.created_at),
            "edited_at": _when(message.edited_at),
            "unsent": unsent,
        }


def write_archive(account: Account) -> IO[bytes]:
    """A ZIP of ``account``'s data as described above, positioned at the start, for the caller to store
    and close (the background task in :mod:`spool.exports.services`)."""
    buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - handed to the caller
    counts: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", json.dumps(_profile(account), ensure_ascii=False, indent=1))
        counts["posts"] = _write_array(archive, "posts.json", _posts(account))
        counts["likes"] = _write_array(
            archive, "likes.json", _references(Like.objects.filter(account=account))
        )
        counts["reposts"] = _write_array(
            archive, "reposts.json", _references(Repost.objects.filter(account=account))
        )
        counts["saves"] = _write_array(
            archive, "saves.json", _references(Save.objects.filter(account=account))
        )
        counts["following"] = _write_array(
            archive, "following.json", _people(Follow.objects.filter(follower=account), "followee")
        )
        counts["followers"] = _write_array(
            archive, "followers.json", _people(Follow.objects.filter(followee=account), "follower")
        )
        counts["messages"] = _write_array(archive, "messages.json", _messages(account))
        archive.writestr("README.txt", _readme(account, counts))
    buffer.seek(0)
    return buffer


def _readme(account: Account, counts: dict[str, int]) -> str:
    lines = [f"Your Spool data (@{account.handle}).", ""]
    lines += [f"{name}.json: {count}" for name, count in counts.items()]
    lines += ["", "Media URLs are relative to the server; liked, reposted and saved posts are references."]
    return "\n".join(lines) + "\n"
