"""``/api/spool/v1/reports/``: reporting a post, a profile or a topic to the moderators, and the caller's
own reports. Messages and conversations are reported from the messaging API (``…/messaging/conversations/
{id}/report``); every report lands in the same moderation queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from spool.api.common.auth import current_account
from spool.core.pagination import page_before, parse_cursor
from spool.moderation import services
from spool.moderation.models import Report

router = Router(tags=["reports"])


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    target_type: Literal["post", "account", "topic"]
    target: str = Field(description="A post ID, a handle or account ID, or a topic name.", max_length=200)
    reason: str = Field(
        description="spam, abuse, hate, violence, self_harm, nudity, misinformation, illegal or other"
    )
    comment: str = ""
    post_ids: list[str] = Field(default_factory=list, description="Account reports: up to 20 of its posts.")


class ReportOut(Schema):
    id: str
    target_type: str
    target_id: str
    reason: str
    comment: str
    status: str
    created_at: datetime


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


def _out(report: Report) -> dict[str, Any]:
    return {
        "id": str(report.pk),
        "target_type": report.target_type,
        "target_id": str(report.target_id),
        "reason": report.reason,
        "comment": report.comment,
        "status": report.status,
        "created_at": report.created_at,
    }


@router.post("", response={201: ReportOut}, summary="Report a post, a profile or a topic")
def file_report(request: HttpRequest, body: ReportIn) -> Status[dict[str, Any]]:
    """Reporting the same thing again while your report is open returns that report (nothing new is
    filed). The reported content is copied into the report, so deleting it later loses nothing."""
    account = current_account(request)
    if body.target_type == "post":
        report = services.report_post(account, body.target, body.reason, body.comment)
    elif body.target_type == "account":
        report = services.report_account(account, body.target, body.reason, body.comment, body.post_ids)
    else:
        report = services.report_topic(account, body.target, body.reason, body.comment)
    return Status(201, _out(report))


@router.get("", response=ReportPage, summary="Your reports, newest first")
def my_reports(request: HttpRequest, cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
    account = current_account(request)
    page = page_before(Report.objects.filter(reporter=account), parse_cursor(cursor), limit)
    return {
        "items": [_out(r) for r in page.items],
        "next_cursor": str(page.next_cursor) if page.next_cursor else None,
    }
