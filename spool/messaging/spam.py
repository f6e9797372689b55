"""The likely-spam heuristic for message requests: requests that score high go to the Hidden folder instead
of Requests. The recipient can still open, accept or delete them there; nothing is refused on a guess.

:func:`score` is a pure function of the signals, so the weights are tested without a database;
:func:`signals_for` gathers the signals (three small indexed queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from spool.identities.models import Account
from spool.messaging.models import Conversation, Membership, Message

HIDE_AT = 4
RECENT = timedelta(hours=24)
MANY_REQUESTS = 5


@dataclass(frozen=True)
class Signals:
    account_age: timedelta
    followers: int
    has_profile: bool  # an avatar or a bio
    requests_today: int  # requests this sender started in the last 24 hours
    repeated_text: bool  # the same text opened another request in the last 24 hours


def score(signals: Signals) -> int:
    """Points for each sign of a throwaway sender or a copy-paste campaign; ``HIDE_AT`` or more hides."""
    points = 0
    if signals.account_age < timedelta(days=1):
        points += 1
    if signals.followers == 0:
        points += 1
    if not signals.has_profile:
        points += 1
    if signals.requests_today >= MANY_REQUESTS:
        points += 2
    if signals.repeated_text:
        points += 2
    return points


def signals_for(sender: Account, text: str) -> Signals:
    since = timezone.now() - RECENT
    requests = Membership.objects.filter(
        conversation__created_by=sender,
        conversation__kind=Conversation.Kind.DIRECT,
        joined_at__gte=since,
        state__in=(Membership.State.REQUEST, Membership.State.SPAM),
    ).exclude(account=sender)
    repeated = bool(text.strip()) and (
        Message.objects.filter(
            sender=sender,
            text=text,
            created_at__gte=since,
            conversation__in=requests.values("conversation_id"),
        ).exists()
    )
    return Signals(
        account_age=timezone.now() - sender.created_at,
        followers=sender.followers_count,
        has_profile=bool(sender.avatar) or bool(sender.bio.strip()),
        requests_today=requests.count(),
        repeated_text=repeated,
    )


def looks_like_spam(sender: Account, text: str) -> bool:
    return score(signals_for(sender, text)) >= HIDE_AT
