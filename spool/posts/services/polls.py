"""Polls: 2-4 options, open 24 hours, one vote per person, results in percent."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from spool.core.errors import Conflict, ValidationError
from spool.core.events import publish
from spool.identities.models import Account
from spool.posts.access import access_post
from spool.posts.events import PollEnded, PollVoted
from spool.posts.models import Poll, PollOption, PollVote, Post
from spool.posts.services.guards import check_actor


def percentages(counts: list[int]) -> list[int]:
    """Whole percentages of ``counts`` that add up to exactly 100 (largest remainder); all 0 without votes."""
    total = sum(counts)
    if total == 0:
        return [0 for _ in counts]
    exact = [count * 100 / total for count in counts]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (exact[i] - shares[i], counts[i]), reverse=True)
    for i in by_remainder[: 100 - sum(shares)]:
        shares[i] += 1
    return shares


def vote_in_poll(actor: Account, post_id: Any, option_index: Any) -> Post:
    """Vote for option ``option_index`` (0-based) in the poll of a post ``actor`` can see. One vote per
    person (a second one is a ``Conflict``), only while the poll is open. Counts go up by ``F()`` in the same
    transaction as the vote. Publishes ``PollVoted``."""
    check_actor(actor)
    with transaction.atomic():
        post = access_post(actor, post_id)
        poll = Poll.objects.filter(post=post).first()
        if poll is None:
            raise ValidationError("This post has no poll.", code="no_poll")
        if poll.closed or poll.expires_at <= timezone.now():
            raise Conflict("This poll has ended.", code="poll_closed")
        if isinstance(option_index, bool) or not isinstance(option_index, int):
            raise ValidationError("Choose an option by its number.", code="invalid_option", field="option")
        option = PollOption.objects.filter(poll=poll, position=option_index).first()
        if option is None:
            raise ValidationError("This poll has no such option.", code="invalid_option", field="option")
        if PollVote.objects.filter(poll=poll, voter=actor).exists():
            raise Conflict("You already voted in this poll.", code="already_voted")
        try:
            with transaction.atomic():
                PollVote.objects.create(poll=poll, option=option, voter=actor)
        except IntegrityError:
            raise Conflict("You already voted in this poll.", code="already_voted") from None
        PollOption.objects.filter(id=option.id).update(votes_count=F("votes_count") + 1)
        Poll.objects.filter(post=post).update(votes_count=F("votes_count") + 1)
        publish(
            PollVoted(
                post_id=post.id,
                post_author_id=post.author_id,
                voter_id=actor.id,
                option_position=option_index,
            )
        )
    return post


def close_poll(post_id: int) -> bool:
    """Mark an ended poll closed and publish ``PollEnded`` with its author and voters, exactly once
    (the ``closed`` flag is claimed with a conditional update). Returns whether this call closed it."""
    with transaction.atomic():
        claimed = Poll.objects.filter(post_id=post_id, closed=False, expires_at__lte=timezone.now()).update(
            closed=True
        )
        if not claimed:
            return False
        author_id = Post.objects.filter(id=post_id).values_list("author_id", flat=True).first()
        voter_ids = tuple(
            PollVote.objects.filter(poll_id=post_id).order_by("id").values_list("voter_id", flat=True)
        )
        publish(PollEnded(post_id=post_id, author_id=author_id or 0, voter_ids=voter_ids))
    return True


def close_ended_polls(batch: int = 500) -> int:
    """Close every poll whose 24 hours are over (at most ``batch`` per call); returns how many."""
    due = list(
        Poll.objects.filter(closed=False, expires_at__lte=timezone.now())
        .order_by("expires_at")
        .values_list("post_id", flat=True)[:batch]
    )
    return sum(1 for post_id in due if close_poll(post_id))
