"""A vote by a local account in a remote poll, as Mastodon sends one: a ``Create`` of a ``Note`` whose
``name`` is the chosen option, in reply to the ``Question``, addressed to its author only."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.vocab import CONTEXT


def vote(voter_id: int, question_uri: str, author_uri: str, option: str) -> dict[str, Any]:
    actor = ids.actor_uri(voter_id)
    note_id = f"{actor}#votes/{ids.unique_suffix()}"
    return {
        "@context": CONTEXT,
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": actor,
        "to": [author_uri],
        "object": {
            "id": note_id,
            "type": "Note",
            "name": option,
            "attributedTo": actor,
            "inReplyTo": question_uri,
            "to": [author_uri],
        },
    }
