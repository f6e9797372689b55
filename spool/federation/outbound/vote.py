"""A vote by a local account in a remote poll, as Mastodon sends one: a ``Create`` of a ``Note`` whose
``name`` is the chosen option, in reply to the ``Question``, addressed to its author only."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.base import activity


def vote(voter_id: int, question_uri: str, author_uri: str, option: str) -> dict[str, Any]:
    actor = ids.actor_uri(voter_id)
    note_id = f"{actor}#votes/{ids.unique_suffix()}"
    obj = {
        "id": note_id,
        "type": "Note",
        "name": option,
        "attributedTo": actor,
        "inReplyTo": question_uri,
        "to": [author_uri],
    }
    return activity("Create", voter_id, obj, id_=f"{note_id}/activity", to=[author_uri])
