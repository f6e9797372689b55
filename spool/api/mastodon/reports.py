"""``POST /api/v1/reports``: Mastodon's report of an account, optionally with some of its statuses, filed
into Spool's moderation queue as an account report with those posts attached (and copied)."""

from __future__ import annotations

from typing import Any

import pydantic
from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import render_accounts
from spool.api.mastodon.entities.common import iso
from spool.api.mastodon.params import read_params, validated
from spool.core.errors import NotFound, ValidationError
from spool.moderation import services
from spool.moderation.models import Reason, Report
from spool.moderation.services.reports import find_reportable_account

router = Router(tags=["reports"])

# Mastodon's categories → Spool's reasons (and back, for the entity).
REASON_OF_CATEGORY = {
    "spam": Reason.SPAM,
    "legal": Reason.ILLEGAL,
    "violation": Reason.ABUSE,
    "other": Reason.OTHER,
}
CATEGORY_OF_REASON = {Reason.SPAM: "spam", Reason.ILLEGAL: "legal", Reason.OTHER: "other"}


class ReportIn(pydantic.BaseModel):
    account_id: str
    status_ids: list[str] = pydantic.Field(default_factory=list)
    comment: str = ""
    forward: bool = False
    category: str = "other"
    rule_ids: list[str] = pydantic.Field(default_factory=list)


def render_report(report: Report, target: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(report.pk),
        "action_taken": report.action_id is not None,
        "action_taken_at": iso(report.resolved_at) if report.action_id else None,
        "category": CATEGORY_OF_REASON.get(report.reason, "violation"),  # type: ignore[call-overload]
        "comment": report.comment,
        "forwarded": False,
        "created_at": iso(report.created_at),
        "status_ids": [p["id"] for p in report.snapshot.get("posts", [])] or None,
        "rule_ids": None,
        "target_account": target,
    }


@router.post("/v1/reports", auth=scoped("write:reports"))
def file_report(request: HttpRequest) -> dict[str, Any]:
    """``account_id`` (required), ``status_ids[]`` (its posts, up to 20), ``comment`` (≤1,000), ``category``
    (spam → spam, legal → illegal, violation → abuse, other → other; unknown categories are 422).
    ``forward`` and ``rule_ids[]`` are accepted and ignored (no federation, no server rules yet)."""
    actor = me(request)
    params = read_params(request)
    for key in ("status_ids", "rule_ids"):
        if f"{key}[]" in params:
            params[key] = params.pop(f"{key}[]")
    data = validated(ReportIn, params)
    if data.category not in REASON_OF_CATEGORY:
        raise ValidationError(
            "Validation failed: category is not included in the list", code="invalid_reason", field="category"
        )
    try:
        account = find_reportable_account(data.account_id)
    except NotFound:
        raise NotFound("Record not found") from None
    report = services.report_account(
        actor, account, REASON_OF_CATEGORY[data.category], data.comment, data.status_ids
    )
    return render_report(report, render_accounts(actor, [account])[0])
