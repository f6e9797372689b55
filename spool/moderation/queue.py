"""What moderators read: the report queue grouped by target, one target with its context and history, the
appeals waiting for a decision. Every read checks the role first (``NotFound`` for everyone else) and costs
a fixed number of queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, QuerySet

from spool.core.errors import ValidationError
from spool.core.pagination import MAX_PAGE, Page, page_before
from spool.identities.models import Account
from spool.moderation.models import (
    Action,
    Appeal,
    AppealStatus,
    AuditEntry,
    Reason,
    Report,
    ReportStatus,
    RoleName,
    TargetType,
)
from spool.moderation.roles import check_moderator
from spool.moderation.services.actions import ACTIONS_FOR, ADMIN_ONLY, check_target_type
from spool.posts.models import Post, Topic

HISTORY = 10
THREAD_REPLIES = 10


@dataclass
class ReportGroup:
    """The open (or resolved) reports of one target: how many, and the newest (whose snapshot is shown)."""

    target_type: str
    target_id: int
    count: int
    latest: Report
    people: int  # reporters (system reports count as none)


@dataclass(frozen=True)
class Filters:
    status: str = ReportStatus.OPEN
    reason: str | None = None
    target_type: str | None = None

    @classmethod
    def parse(cls, status: Any, reason: Any, target_type: Any) -> Filters:
        if status not in ReportStatus.values:
            status = ReportStatus.OPEN
        if reason and reason not in Reason.values:
            raise ValidationError("Unknown reason.", code="invalid_reason", field="reason")
        if target_type and target_type not in TargetType.values:
            raise ValidationError("Unknown kind of report.", code="invalid_target", field="type")
        return cls(status, reason or None, target_type or None)


def report_groups(
    moderator: Account, filters: Filters, cursor: int | None, *, limit: int = 20
) -> Page[ReportGroup]:
    """Targets with reports matching ``filters``, the most recently reported first, paged by the newest
    report's ID. Two queries: the grouped counts, then the newest report of each group."""
    check_moderator(moderator)
    limit = max(1, min(limit, MAX_PAGE))
    rows = Report.objects.filter(status=filters.status)
    if filters.reason:
        rows = rows.filter(reason=filters.reason)
    if filters.target_type:
        rows = rows.filter(target_type=filters.target_type)
    grouped = (
        rows.values("target_type", "target_id")
        .annotate(latest=Max("id"), count=Count("id"), people=Count("reporter", distinct=True))
        .order_by("-latest")
    )
    if cursor is not None:
        grouped = grouped.filter(latest__lt=cursor)
    found = list(grouped[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    latest = Report.objects.select_related("reporter", "target_account").in_bulk([g["latest"] for g in found])
    groups = [
        ReportGroup(g["target_type"], g["target_id"], g["count"], latest[g["latest"]], g["people"])
        for g in found
    ]
    return Page(groups, found[-1]["latest"] if more and found else None)


def open_report_count(moderator: Account) -> int:
    check_moderator(moderator)
    return (
        Report.objects.filter(status=ReportStatus.OPEN).values("target_type", "target_id").distinct().count()
    )


@dataclass
class TargetContext:
    """Everything the page of one reported target shows."""

    target_type: str
    target_id: int
    role: str
    reports: list[Report]
    snapshot: dict[str, Any]
    person: Account | None
    post: Post | None = None  # the post as it is now (whatever its state), None once deleted
    account: Account | None = None
    topic: Topic | None = None
    thread_above: list[Post] = field(default_factory=list)
    replies: list[Post] = field(default_factory=list)
    person_reports: list[Report] = field(default_factory=list)
    person_report_count: int = 0
    person_actions: list[Action] = field(default_factory=list)
    target_actions: list[Action] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)

    @property
    def open_reports(self) -> list[Report]:
        return [r for r in self.reports if r.status == ReportStatus.OPEN]

    @property
    def allowed_actions(self) -> list[str]:
        kinds = ACTIONS_FOR[self.target_type]
        return [k for k in kinds if self.role == RoleName.ADMIN or k not in ADMIN_ONLY]

    @property
    def active_kinds(self) -> set[str]:
        return {a.kind for a in self.target_actions if not a.reversed}


def target_context(moderator: Account, target_type: Any, target_id: int) -> TargetContext:
    """One target's reports (newest first), its snapshot, its current state and surroundings (a post's
    thread: the posts above it and its first replies, whatever their visibility — moderators see all), the
    person responsible with their earlier reports and actions, and the target's audit entries."""
    role = check_moderator(moderator)
    target_type = check_target_type(target_type)
    reports = list(
        Report.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("reporter", "target_account", "resolved_by")
        .order_by("-id")[:MAX_PAGE]
    )
    target_actions = list(
        Action.objects.filter(target_type=target_type, target_id=target_id).select_related(
            "moderator", "appeal"
        )
    )
    snapshot = reports[0].snapshot if reports else (target_actions[0].snapshot if target_actions else {})
    person = reports[0].target_account if reports else None
    context = TargetContext(
        target_type, target_id, role, reports, snapshot, person, target_actions=target_actions
    )
    if target_type == TargetType.POST:
        post = Post.objects.select_related("author", "topic").filter(pk=target_id).first()
        context.post = post
        if post is not None:
            person = context.person = person or post.author
            above = [i for i in (post.root_id, post.reply_to_id) if i]
            context.thread_above = list(
                Post.objects.select_related("author").filter(pk__in=above).order_by("id")
            )
            context.replies = list(
                Post.objects.select_related("author")
                .filter(reply_to_id=post.pk)
                .order_by("id")[:THREAD_REPLIES]
            )
    elif target_type == TargetType.ACCOUNT:
        context.account = Account.objects.filter(pk=target_id).first()
        person = context.person = person or context.account
    elif target_type == TargetType.TOPIC:
        context.topic = Topic.objects.filter(pk=target_id).first()
    if person is not None:
        earlier = Report.objects.filter(target_account=person).exclude(
            target_type=target_type, target_id=target_id
        )
        context.person_report_count = earlier.count()
        context.person_reports = list(earlier.order_by("-id")[:HISTORY])
        context.person_actions = list(
            Action.objects.filter(account=person).select_related("moderator").order_by("-id")[:HISTORY]
        )
    context.audit = list(
        AuditEntry.objects.filter(target_type=target_type, target_id=target_id).order_by("-id")[:MAX_PAGE]
    )
    return context


def open_appeals(moderator: Account, cursor: int | None, *, limit: int = 20) -> Page[Appeal]:
    """Appeals waiting for a decision, oldest waiting last (newest first), with their actions loaded."""
    check_moderator(moderator)
    rows: QuerySet[Appeal] = Appeal.objects.filter(status=AppealStatus.OPEN).select_related(
        "action", "account", "action__moderator"
    )
    return page_before(rows, cursor, limit)
