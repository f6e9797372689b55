"""Community leaders: recognition for sustained, well-received participation, awarded and revoked by a
periodic job (``spool.communities.tasks.award_leaders``).

Over the last ``LEADER_DAYS`` days, a member qualifies in a community when they

1. posted in it (public posts in its topic) on at least ``MIN_ACTIVE_DAYS`` distinct UTC days,
2. drew likes or replies from at least ``MIN_ENGAGERS`` distinct *other members*, and
3. received few negative signals: blocks and mutes of them made in the period number at most
   ``MAX_NEGATIVE_RATIO`` times their engagers and fewer than ``MODERATED_SIGNALS``.

At most ``MAX_LEADERS`` per community (most engagers first). A leader who stops qualifying loses the badge
(reason ``inactive``); one who is deactivated or passes ``MODERATED_SIGNALS`` loses it with reason
``moderation``, as does anyone :func:`~spool.communities.services.revoke_leader` is called for, and is not
awarded again until ``LEADER_DAYS`` after that. Everything is computed from rows as of ``now``, so the job
is idempotent and tests pass explicit timestamps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from spool.communities.engagement import distinct_engagers
from spool.communities.models import Community, Membership
from spool.core.snowflake import id_at
from spool.identities.models import Block, Mute
from spool.posts.models import Post

LEADER_DAYS = 28
MIN_ACTIVE_DAYS = 8
MIN_ENGAGERS = 5
MAX_NEGATIVE_RATIO = 0.2
MODERATED_SIGNALS = 10
MAX_LEADERS = 5


@dataclass
class LeaderChanges:
    awarded: list[tuple[int, int]] = field(default_factory=list)  # (community ID, account ID)
    revoked: list[tuple[int, int, str]] = field(default_factory=list)  # (community ID, account ID, reason)


@dataclass(frozen=True)
class Standing:
    account_id: int
    active_days: int
    engagers: int
    negatives: int

    def qualifies(self) -> bool:
        return (
            self.active_days >= MIN_ACTIVE_DAYS
            and self.engagers >= MIN_ENGAGERS
            and self.negatives <= MAX_NEGATIVE_RATIO * self.engagers
            and self.negatives < MODERATED_SIGNALS
        )


def standings(community: Community, now: datetime) -> dict[int, Standing]:
    """How each member who posted in the period stands (a fixed handful of queries per community)."""
    since = now - LEADER_DAYS * timedelta(days=1)
    members = Membership.objects.filter(community=community).values("account_id")
    posts = Post.objects.visible_to(None).filter(
        topic_id=community.topic_id, id__gte=id_at(since), created_at__lte=now, author_id__in=members
    )
    days: Counter[int] = Counter(
        author_id
        for author_id, _ in posts.annotate(day=TruncDate("created_at"))
        .values_list("author_id", "day")
        .distinct()
        .order_by()
    )
    if not days:
        return {}
    regulars = [a for a, n in days.items() if n >= MIN_ACTIVE_DAYS]
    theirs = posts.filter(author_id__in=regulars).values("id")
    engagers = distinct_engagers(theirs, now, among=members)
    negatives: Counter[int] = Counter()
    watched = list(days)
    for model, target in ((Block, "blocked_id"), (Mute, "muted_id")):
        negatives.update(
            dict(
                model.objects.filter(**{f"{target}__in": watched}, created_at__gte=since, created_at__lte=now)
                .values_list(target)
                .annotate(n=Count("id"))
                .order_by()
            )
        )
    return {a: Standing(a, days[a], engagers.get(a, 0), negatives.get(a, 0)) for a in days}


def award_in(community: Community, now: datetime) -> LeaderChanges:
    """Award and revoke the leader badges of one community as of ``now``."""
    changes = LeaderChanges()
    standing = standings(community, now)
    barred_since = now - LEADER_DAYS * timedelta(days=1)
    memberships = {
        m.account_id: m
        for m in Membership.objects.filter(community=community)
        .filter(Q(account_id__in=list(standing)) | Q(leader_since__isnull=False))
        .select_related("account")
    }
    eligible = [
        s
        for s in standing.values()
        if s.qualifies()
        and s.account_id in memberships
        and memberships[s.account_id].account.is_active
        and not (
            memberships[s.account_id].leader_revoked_reason == "moderation"
            and (memberships[s.account_id].leader_revoked_at or now) > barred_since
        )
    ]
    eligible.sort(key=lambda s: (s.engagers, s.active_days, -s.account_id), reverse=True)
    chosen = {s.account_id for s in eligible[:MAX_LEADERS]}
    with transaction.atomic():
        for account_id, membership in memberships.items():
            if membership.is_leader and account_id not in chosen:
                found = standing.get(account_id)
                moderated = not membership.account.is_active or (
                    found is not None and found.negatives >= MODERATED_SIGNALS
                )
                reason = "moderation" if moderated else "inactive"
                Membership.objects.filter(pk=membership.pk).update(
                    leader_since=None, leader_revoked_at=now, leader_revoked_reason=reason
                )
                changes.revoked.append((community.id, account_id, reason))
            elif not membership.is_leader and account_id in chosen:
                Membership.objects.filter(pk=membership.pk).update(leader_since=now)
                changes.awarded.append((community.id, account_id))
    return changes


def award_leaders(now: datetime | None = None) -> LeaderChanges:
    """Run :func:`award_in` for every community (the periodic job)."""
    now = now or timezone.now()
    total = LeaderChanges()
    for community in Community.objects.order_by("id").iterator():
        changes = award_in(community, now)
        total.awarded += changes.awarded
        total.revoked += changes.revoked
    return total
