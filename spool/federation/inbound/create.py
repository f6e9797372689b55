"""``Create`` of a post (``Note``, ``Question``; ``Article``/``Page`` kept as a link), or of a poll vote
(a ``Note`` with a ``name``, in reply to one of our polls)."""

from __future__ import annotations

from typing import Any

from spool.core.errors import SpoolError
from spool.federation.inbound.notes import IgnoredNote, ingest_note
from spool.federation.objects import post_for_uri
from spool.federation.vocab import Note, VocabError, as_list, id_of
from spool.identities.models import Account
from spool.posts.models import PollOption
from spool.posts.services import vote_in_poll


def handle(activity: dict[str, Any], actor: Account) -> str:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return "ignored: the object must be inline"
    if id_of((as_list(obj.get("attributedTo")) or [""])[0]) != id_of(activity.get("actor")):
        return "ignored: the post is not by the actor"
    try:
        note = Note.from_json(obj)
        if note.is_vote:
            return _vote(note, actor)
        # The post is the actor's (checked above): its author is the account the inbox resolved already.
        ingest_note(note, require_interest=True, author=actor)
    except (IgnoredNote, VocabError) as exc:
        return f"ignored: {exc}"
    return "done"


def _vote(note: Note, actor: Account) -> str:
    post = post_for_uri(note.in_reply_to)
    if post is None or not post.author.is_local:
        return "ignored: not a vote in one of our polls"
    position = (
        PollOption.objects.filter(poll_id=post.id, text=note.name).values_list("position", flat=True).first()
    )
    if position is None:
        return "ignored: no such option"
    try:
        vote_in_poll(actor, post.id, position)
    except SpoolError as exc:
        return f"ignored: {exc}"
    return "done"
