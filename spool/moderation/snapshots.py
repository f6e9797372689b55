"""What a report keeps of its target, copied when it is filed: enough for a moderator to judge it (and for
the person affected to see what was acted on) after the original is edited or deleted."""

from __future__ import annotations

from typing import Any

from spool.identities.models import Account
from spool.posts.models import Post, Topic


def account_summary(account: Account | None) -> dict[str, Any]:
    if account is None:
        return {}
    return {
        "id": str(account.pk),
        "handle": account.handle,
        "display_name": account.display_name,
    }


def snapshot_post(post: Post) -> dict[str, Any]:
    """Text, attachment, images (URLs and alt text), topic, links, author and times of ``post``."""
    return {
        "id": str(post.pk),
        "text": post.text,
        "attachment_text": post.attachment_text,
        "media": [
            {"url": m.file.url if m.file else "", "alt": m.alt_text} for m in post.media.order_by("position")
        ],
        "topic": post.topic.display if post.topic_id and post.topic else "",
        "links": list(post.links or []),
        "author": account_summary(post.author),
        "reply_to_id": str(post.reply_to_id) if post.reply_to_id else None,
        "root_id": str(post.root_id) if post.root_id else None,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
    }


def snapshot_account(account: Account, posts: list[Post] | None = None) -> dict[str, Any]:
    """Profile fields of ``account`` and, when given, snapshots of the posts attached to the report."""
    return {
        **account_summary(account),
        "bio": account.bio,
        "links": list(account.links or []),
        "avatar": account.avatar.url if account.avatar else "",
        "created_at": account.created_at.isoformat(),
        "posts": [snapshot_post(p) for p in posts or []],
    }


def snapshot_topic(topic: Topic) -> dict[str, Any]:
    return {
        "id": str(topic.pk),
        "name": topic.name,
        "display": topic.display,
        "posts_count": topic.posts_count,
    }


def label(target_type: str, snapshot: dict[str, Any]) -> str:
    """A short human name for a target, for lists and the audit log."""
    if target_type == "account":
        return f"@{snapshot.get('handle', '?')}"
    if target_type == "topic":
        return f"topic {snapshot.get('display', '?')}"
    author = snapshot.get("author") or snapshot.get("sender") or {}
    text = str(snapshot.get("text", ""))
    short = text if len(text) <= 60 else text[:59] + "…"
    who = f"@{author.get('handle')}" if author.get("handle") else "someone"
    return f"{target_type} by {who}: {short}" if short else f"{target_type} by {who}"
