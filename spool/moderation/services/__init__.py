"""The write path of moderation: filing reports, acting on them, appeals and roles. Every function checks
who may call it, validates its input, writes in one transaction together with its audit entry and
publishes events; the web pages and both APIs call these and never write moderation rows themselves."""

from spool.moderation.services.actions import dismiss_reports, take_action
from spool.moderation.services.appeals import decide_appeal, file_appeal
from spool.moderation.services.reports import (
    REPORT_LIMIT,
    file_report,
    report_account,
    report_post,
    report_topic,
)
from spool.moderation.services.roles import grant_role, revoke_role

__all__ = [
    "REPORT_LIMIT",
    "decide_appeal",
    "dismiss_reports",
    "file_appeal",
    "file_report",
    "grant_role",
    "report_account",
    "report_post",
    "report_topic",
    "revoke_role",
    "take_action",
]
