"""``/api/spool/v1/security/``: the account-security pieces that make sense for an app — asking for a
password reset link, the signed-in sessions (list, revoke), the two-factor status and the data download.

Enrolling an authenticator and the emailed links stay in the web app: they end in pages a person opens from
an email or scans with a phone. The rules live in :mod:`spool.accounts` and :mod:`spool.exports`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from spool.accounts import email_flows, sessions, two_factor
from spool.api.common.auth import current_account
from spool.core.requests import client_address
from spool.exports.archive import export_account_data

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


@router.post("export", response={200: None}, url_name="security-export")
def export(request: HttpRequest) -> FileResponse:
    """Your data as a ZIP of JSON files (``application/zip``); 3 a day (429 past that)."""
    account = current_account(request)
    archive = export_account_data(account)
    return FileResponse(
        archive, as_attachment=True, filename=f"spool-{account.handle}.zip", content_type="application/zip"
    )
