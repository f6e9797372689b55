"""Incoming activities: one module per verb, each with ``handle(activity, actor) -> str`` returning what
happened (``"done"`` or a reason it was ignored). :func:`dispatch` picks the handler; unknown verbs are
ignored, never errors (the fediverse sends many Spool has no use for)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spool.federation.inbound import (
    accept,
    announce,
    block,
    create,
    delete,
    follow,
    like,
    move,
    reject,
    undo,
    update,
)
from spool.identities.models import Account

Handler = Callable[[dict[str, Any], Account], str]

HANDLERS: dict[str, Handler] = {
    "Follow": follow.handle,
    "Accept": accept.handle,
    "Reject": reject.handle,
    "Undo": undo.handle,
    "Create": create.handle,
    "Update": update.handle,
    "Delete": delete.handle,
    "Like": like.handle,
    # Misskey/Pleroma reactions count as likes (Spool has one reaction).
    "EmojiReact": like.handle,
    "EmojiReaction": like.handle,
    "Announce": announce.handle,
    "Block": block.handle,
    "Move": move.handle,
}


def dispatch(activity: dict[str, Any], actor: Account) -> str:
    handler = HANDLERS.get(str(activity.get("type")))
    if handler is None:
        return f"ignored: {activity.get('type')!s:.40} is not supported"
    return handler(activity, actor)
