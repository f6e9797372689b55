"""Filing reports. Whatever the door (post menu, profile menu, a topic page, a conversation, the native API,
Mastodon's ``POST /api/v1/reports``, the spam score), a report ends up as one ``Report`` row holding a
snapshot of its target, deduplicated per reporter and target while it is open."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction

from spool.core.errors import NotFound, ValidationError
from spool.core.ratelimit import Limit, hit
from spool.identities.models import Account
from spool.moderation.models import MAX_COMMENT, Reason, Report, ReportStatus, TargetType
from spool.moderation.services._common import check_note, parse_id
from spool.moderation.snapshots import snapshot_account, snapshot_post, snapshot_topic
from spool.posts.access import access_post
from spool.posts.models import Post, Topic
from spool.posts.services.guards import check_actor
from spool.posts.services.validation import normalise_topic

REPORT_LIMIT = Limit("reports", 100, timedelta(hours=24))
MAX_ATTACHED_POSTS = 20


def check_reason(reason: Any) -> str:
    if not isinstance(reason, str) or reason not in Reason.values:
        raise ValidationError(
            f"Choose a reason: {', '.join(Reason.values)}.", code="invalid_reason", field="reason"
        )
    return reason


def file_report(
    reporter: Account | None,
    *,
    target_type: str,
    target_id: int,
    target_account: Account | None,
    reason: Any,
    comment: Any = "",
    snapshot: dict[str, Any],
) -> Report:
    """File a report of a target the caller has already found and snapshotted — the entry point for apps
    above moderation (messaging reports its messages and conversations through it) and for the helpers
    below. ``reporter`` ``None`` files a system report (the spam score).

    Checks the reason and the comment (≤1,000 characters, no control characters); counts against
    ``REPORT_LIMIT`` (100 a day per reporter). If the reporter already has an open report of this target,
    that report is returned unchanged except that newly attached posts (account reports) are added to its
    snapshot — reporting twice never makes two rows, also under a concurrent race (the partial unique
    constraint decides)."""
    if target_type not in TargetType.values:
        raise ValidationError("Unknown kind of report.", code="invalid_target", field="target_type")
    reason = check_reason(reason)
    comment = check_note(comment, field="comment", what="comment", limit=MAX_COMMENT)
    if reporter is not None:
        check_actor(reporter)
    existing = _open_report(reporter, target_type, target_id)
    if existing is not None:
        return _merge(existing, snapshot)
    if reporter is not None:
        hit(REPORT_LIMIT, reporter.pk)
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter,
                system=reporter is None,
                target_type=target_type,
                target_id=target_id,
                target_account=target_account,
                reason=reason,
                comment=comment,
                snapshot=snapshot,
            )
    except IntegrityError:
        existing = _open_report(reporter, target_type, target_id)
        if existing is None:
            raise
        return existing


def _open_report(reporter: Account | None, target_type: str, target_id: int) -> Report | None:
    rows = Report.objects.filter(target_type=target_type, target_id=target_id, status=ReportStatus.OPEN)
    rows = rows.filter(reporter=reporter) if reporter is not None else rows.filter(system=True)
    return rows.first()


def _merge(report: Report, snapshot: dict[str, Any]) -> Report:
    """Add posts attached to a repeated account report to the open one."""
    new_posts = snapshot.get("posts") or []
    if not new_posts:
        return report
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        have = {p["id"] for p in report.snapshot.get("posts", [])}
        added = [p for p in new_posts if p["id"] not in have]
        if added:
            report.snapshot = {**report.snapshot, "posts": [*report.snapshot.get("posts", []), *added]}
            report.save(update_fields=["snapshot"])
    return report


def _not_yourself(reporter: Account, account_id: int | None) -> None:
    if account_id == reporter.pk:
        raise ValidationError("You can't report yourself.", code="own_content", field="target_id")


def report_post(reporter: Account, post_id: Any, reason: Any, comment: Any = "") -> Report:
    """Report a post the reporter can see (not their own; ``NotFound`` for one they cannot see)."""
    check_actor(reporter)
    post = access_post(reporter, post_id)
    _not_yourself(reporter, post.author_id)
    return file_report(
        reporter,
        target_type=TargetType.POST,
        target_id=post.pk,
        target_account=post.author,
        reason=reason,
        comment=comment,
        snapshot=snapshot_post(post),
    )


def find_reportable_account(ref: Any) -> Account:
    """An active account by ``@handle``/handle or numeric ID; ``NotFound`` otherwise. Blocks do not hide
    it: people report someone they blocked."""
    if isinstance(ref, Account):
        account: Account | None = ref if ref.is_active else None
    elif isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        account = Account.objects.active().filter(pk=int(ref)).first()
    elif isinstance(ref, str) and ref.strip():
        account = Account.objects.active().by_handle(ref.strip()).first()
    else:
        account = None
    if account is None:
        raise NotFound("This profile isn't available.")
    return account


def report_account(
    reporter: Account, account_ref: Any, reason: Any, comment: Any = "", post_ids: Iterable[Any] = ()
) -> Report:
    """Report a profile, optionally attaching up to 20 of its posts the reporter can see (as Mastodon's
    reports do). Refuses reporting oneself and posts that are not the account's."""
    check_actor(reporter)
    account = find_reportable_account(account_ref)
    _not_yourself(reporter, account.pk)
    if isinstance(post_ids, (str, bytes)):
        raise ValidationError("post_ids must be a list.", code="invalid", field="post_ids")
    wanted = list(dict.fromkeys(parse_id(i, field="post_ids") for i in post_ids))
    if len(wanted) > MAX_ATTACHED_POSTS:
        raise ValidationError(
            f"Attach at most {MAX_ATTACHED_POSTS} posts.", code="too_many", field="post_ids"
        )
    posts: list[Post] = []
    if wanted:
        posts = list(
            Post.objects.visible_to(reporter)
            .for_cards()
            .filter(id__in=wanted, author=account)
            .prefetch_related("media")
            .order_by("id")
        )
        if len(posts) != len(wanted):
            raise ValidationError(
                "Attach only posts of this profile that you can see.", code="invalid_posts", field="post_ids"
            )
    return file_report(
        reporter,
        target_type=TargetType.ACCOUNT,
        target_id=account.pk,
        target_account=account,
        reason=reason,
        comment=comment,
        snapshot=snapshot_account(account, posts),
    )


def report_topic(reporter: Account, name: Any, reason: Any, comment: Any = "") -> Report:
    """Report a topic (by its name, case-insensitive) — for trending topics that should not trend."""
    check_actor(reporter)
    topic = (
        Topic.objects.filter(name=normalise_topic(name)).first() if isinstance(name, str) and name else None
    )
    if topic is None:
        raise NotFound("This topic isn't available.")
    return file_report(
        reporter,
        target_type=TargetType.TOPIC,
        target_id=topic.pk,
        target_account=None,
        reason=reason,
        comment=comment,
        snapshot=snapshot_topic(topic),
    )
