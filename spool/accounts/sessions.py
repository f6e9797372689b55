"""Signed-in browsers: recording them, listing them (Settings → Sessions) and ending them.

Django's session store holds the sessions; :class:`~spool.accounts.models.SessionRecord` adds what a person
needs to recognise each one (device, address, last seen). :func:`note_signed_in` records a session when it
begins (``user_logged_in``); :func:`note_activity`, called by ``SessionActivityMiddleware``, moves "last
seen" forward at most once every five minutes per session, gated by the cache, so the other requests cost
no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from spool.accounts.models import SessionRecord, User
from spool.core.errors import NotFound
from spool.core.requests import client_address

USER_AGENT_MAX = 300
# How stale "last seen" may get before a request updates it (one write per browser per five minutes at most).
SEEN_EVERY = timedelta(minutes=5)


def _store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def note_session(user: User, session_key: str, *, user_agent: str, ip_address: str) -> None:
    """Record (or refresh) the browser holding ``session_key`` for ``user``: one upsert."""
    SessionRecord.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "user_agent": (user_agent or "")[:USER_AGENT_MAX],
            "ip_address": (ip_address or "")[:64],
            "last_seen_at": timezone.now(),
        },
    )


def _seen_key(session_key: str) -> str:
    return f"session-seen:{session_key}"


def note_signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Receiver of ``user_logged_in``: record the new session with the browser's user agent and address."""
    session = getattr(request, "session", None)
    if request is None or session is None:
        return
    if not session.session_key:
        session.save()
    key = session.session_key
    note_session(
        user, key, user_agent=request.headers.get("User-Agent", ""), ip_address=client_address(request)
    )
    cache.set(_seen_key(key), 1, SEEN_EVERY.total_seconds())


def note_activity(request: HttpRequest) -> None:
    """Move "last seen" of the request's session forward: one ``UPDATE`` at most every ``SEEN_EVERY`` per
    session (the cache remembers the last time), nothing for requests without a session cookie."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if not key or not cache.add(_seen_key(key), 1, SEEN_EVERY.total_seconds()):
        return
    SessionRecord.objects.filter(session_key=key).update(
        last_seen_at=timezone.now(), ip_address=client_address(request)[:64]
    )


@dataclass(frozen=True)
class SessionInfo:
    id: int
    user_agent: str
    ip_address: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def list_sessions(user: User, current_key: str | None) -> list[SessionInfo]:
    """The person's live sessions, most recently seen first, the one of ``current_key`` marked. Records of
    sessions that ended (expired, signed out) are dropped on the way."""
    rows = list(SessionRecord.objects.filter(user=user).order_by("-last_seen_at"))
    ended = [row.pk for row in rows if not _store().exists(row.session_key)]
    if ended:
        SessionRecord.objects.filter(pk__in=ended).delete()
    return [
        SessionInfo(
            r.pk, r.user_agent, r.ip_address, r.created_at, r.last_seen_at, r.session_key == current_key
        )
        for r in rows
        if r.pk not in ended
    ]


def revoke_session(user: User, record_id: int) -> None:
    """End one of the person's sessions (that browser is signed out on its next request). ``NotFound`` for
    a record that is not theirs."""
    row = SessionRecord.objects.filter(user=user, pk=record_id).first()
    if row is None:
        raise NotFound("No such session.")
    _store(row.session_key).delete(row.session_key)
    row.delete()


def revoke_other_sessions(user: User, current_key: str | None) -> int:
    """End every session of the person except ``current_key``; returns how many ended."""
    rows = SessionRecord.objects.filter(user=user).exclude(session_key=current_key or "")
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete(key)
    rows.delete()
    return len(keys)


def end_all_sessions(user: User) -> int:
    """End every recorded session of ``user`` (password reset, suspension). Sessions are also voided by
    Django when the password changes (the session keeps a hash of it); this removes them outright."""
    return revoke_other_sessions(user, None)
