"""``/api/spool/v1/security/``: the account-security pieces that make sense for an app — asking for a
password reset link, the signed-in sessions (list, revoke), the two-factor status and the data download.

Enrolling an authenticator and the emailed links stay in the web app: they end in pages a person opens from
an email or scans with a phone. The rules live in :mod:`spool.accounts` and :mod:`spool.exports`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from spool.accounts import email_flows, sessions, two_factor
from spool.api.common.auth import current_account
from spool.core.errors import NotFound
from spool.core.requests import client_address
from spool.exports import services as exports
from spool.exports.models import DataExport

router = Router(tags=["security"])


class PasswordResetRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    email: str


class Accepted(Schema):
    ok: bool = True


class SessionOut(Schema):
    id: str
    user_agent: str
    ip_address: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class Ended(Schema):
    ended: int


class TwoFactorStatus(Schema):
    enabled: bool
    recovery_codes_left: int


@router.post("password_reset", auth=None, response={202: Accepted}, url_name="security-password-reset")
def password_reset(request: HttpRequest, payload: PasswordResetRequest) -> Status[dict[str, Any]]:
    """Email a reset link if an account uses this address. The answer is the same either way (202), so it
    does not tell which addresses have accounts."""
    email_flows.request_password_reset(payload.email, client_address(request))
    return Status(202, {"ok": True})


@router.get("sessions", response=list[SessionOut])
def list_sessions(request: HttpRequest) -> list[dict[str, Any]]:
    """Your signed-in browsers, most recently seen first; ``current`` marks the one making this request."""
    user = current_account(request).user
    rows = sessions.list_sessions(user, request.session.session_key)
    return [{**row.__dict__, "id": str(row.id)} for row in rows]


@router.post("sessions/{session_id}/revoke", response=Ended)
def revoke_session(request: HttpRequest, session_id: int) -> dict[str, int]:
    """Sign one of your sessions out (404 for a session that is not yours)."""
    sessions.revoke_session(current_account(request).user, session_id)
    return {"ended": 1}


@router.post("sessions/revoke_others", response=Ended)
def revoke_other_sessions(request: HttpRequest) -> dict[str, int]:
    """Sign out every session except the one making this request."""
    user = current_account(request).user
    return {"ended": sessions.revoke_other_sessions(user, request.session.session_key)}


@router.get("two_factor", response=TwoFactorStatus)
def two_factor_status(request: HttpRequest) -> dict[str, Any]:
    user = current_account(request).user
    enabled = two_factor.is_enabled(user)
    return {"enabled": enabled, "recovery_codes_left": two_factor.recovery_codes_left(user) if enabled else 0}


class ExportOut(Schema):
    id: str
    state: str
    requested_at: datetime
    finished_at: datetime | None
    size: int
    download_url: str | None


def _export_out(export: DataExport) -> dict[str, Any]:
    ready = export.state == DataExport.State.READY
    return {
        "id": str(export.pk),
        "state": export.state,
        "requested_at": export.requested_at,
        "finished_at": export.finished_at,
        "size": export.size,
        "download_url": reverse("spool-api:security-export-download", args=[export.pk]) if ready else None,
    }


@router.post("export", response={202: ExportOut}, url_name="security-export")
def export(request: HttpRequest) -> Status[dict[str, Any]]:
    """Ask for your data as a ZIP of JSON files, built in the background (``state``: ``pending``, then
    ``ready`` with a ``download_url``, or ``failed``). An export still being built is returned again;
    3 a day (429 past that)."""
    return Status(202, _export_out(exports.request_data_export(current_account(request))))


@router.get("export", response=ExportOut, url_name="security-export-latest")
def export_latest(request: HttpRequest) -> dict[str, Any]:
    """Your newest export and how it is going (404 if you never asked)."""
    export = exports.latest_export(current_account(request))
    if export is None:
        raise NotFound("No export yet.")
    return _export_out(export)


@router.get("export/{export_id}/download", response={200: None}, url_name="security-export-download")
def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    """The ZIP (``application/zip``) of one of your ready exports; 404 otherwise."""
    account = current_account(request)
    return FileResponse(
        exports.open_export_file(account, export_id),
        as_attachment=True,
        filename=f"spool-{account.handle}.zip",
        content_type="application/zip",
    )
