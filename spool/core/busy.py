"""A write that found the database too busy answers ``503 Service Unavailable`` with ``Retry-After``, not
a 500: nothing was written (the transaction rolled back), and the client may simply send it again (with the
same ``Idempotency-Key`` where the endpoint takes one).

"Too busy" is SQLite's lock wait running out (``database is locked``, after the ``timeout`` set in
settings), or PostgreSQL's lock timeout, deadlock victim or serialization failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 1
MESSAGE = "Spool is busy right now and nothing was saved. Please try again in a moment."
_SQLITE_BUSY = ("database is locked", "database table is locked")
_POSTGRES_BUSY = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing for now (a retry may succeed), not a real fault."""
    if not isinstance(exc, OperationalError):
        return False
    if any(marker in str(exc) for marker in _SQLITE_BUSY):
        return True
    return getattr(exc.__cause__, "sqlstate", None) in _POSTGRES_BUSY


def _wants_json(request: HttpRequest) -> bool:
    if request.path.startswith(("/api/", "/oauth/", "/.well-known/", "/nodeinfo")):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def busy_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"error": MESSAGE, "code": "busy"}, status=503)
    elif request.headers.get("HX-Request"):
        response = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(
            "<!doctype html><html lang=en><meta charset=utf-8><title>Busy · Spool</title>"
            f"<h1>Busy</h1><p>{MESSAGE}</p><p><a href=''>Try again</a></p></html>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns a busy database (see :func:`is_busy`) raised from a view into ``busy_response``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_answer(request, exception)


def busy_answer(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    """``busy_response`` (logged) when ``exception`` is the database being busy, else ``None``."""
    if not is_busy(exception):
        return None
    logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
    return busy_response(request)
