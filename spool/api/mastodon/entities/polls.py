"""Mastodon ``Poll`` from Spool polls: single choice, four options at most, open 24 hours. The poll's ID
is its post's ID (a Spool poll belongs to exactly one post)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from spool.api.mastodon.entities.common import iso
from spool.identities.models import Account
from spool.posts.batch import PollCard, PollOptionCard
from spool.posts.models import Poll, PollVote
from spool.posts.services.polls import percentages


def poll_entity(viewer: Account | None, post_id: int, card: PollCard) -> dict[str, Any]:
    signed_in = viewer is not None
    return {
        "id": str(post_id),
        "expires_at": iso(card.expires_at),
        "expired": card.ended,
        "multiple": False,
        "votes_count": card.total_votes,
        # One choice per person: voters and votes are the same number.
        "voters_count": card.total_votes,
        "voted": card.viewer_vote is not None if signed_in else None,
        "own_votes": ([card.viewer_vote] if card.viewer_vote is not None else []) if signed_in else None,
        "options": [{"title": option.text, "votes_count": option.votes} for option in card.options],
        "emojis": [],
    }


def render_poll(viewer: Account | None, poll: Poll) -> dict[str, Any]:
    """One poll on its own (``GET /api/v1/polls/:id``, after a vote): two queries, options and the viewer's
    vote. The caller has checked the viewer may see the poll's post."""
    options = list(poll.options.order_by("position"))
    vote = None
    if viewer is not None:
        vote = (
            PollVote.objects.filter(poll_id=poll.pk, voter_id=viewer.pk)
            .values_list("option__position", flat=True)
            .first()
        )
    shares = percentages([o.votes_count for o in options])
    card = PollCard(
        options=[
            PollOptionCard(o.position, o.text, o.votes_count, s) for o, s in zip(options, shares, strict=True)
        ],
        total_votes=poll.votes_count,
        expires_at=poll.expires_at,
        ended=poll.closed or poll.expires_at <= timezone.now(),
        viewer_vote=vote,
    )
    return poll_entity(viewer, poll.pk, card)
