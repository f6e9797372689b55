"""One error shape for every JSON API: ``{"error", "code", "field"}`` with a 4xx status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from spool.core.errors import RateLimited, SpoolError, ValidationError


def error_response(api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI, *, invalid_prefix: str = "") -> None:
    """``invalid_prefix`` starts every invalid-input message (Mastodon's "Validation failed: ")."""

    @api.exception_handler(SpoolError)
    def spool_error(request: HttpRequest, exc: SpoolError) -> HttpResponse:
        body = exc.as_dict()
        if (
            isinstance(exc, ValidationError)
            and invalid_prefix
            and not body["error"].startswith(invalid_prefix)
        ):
            body["error"] = invalid_prefix + body["error"]
        response = error_response(api, request, exc.status, body)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
            response["X-RateLimit-Limit"] = str(exc.limit)
            response["X-RateLimit-Remaining"] = "0"
            reset = timezone.now() + timedelta(seconds=exc.retry_after)
            response["X-RateLimit-Reset"] = reset.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return response

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        loc = [
            str(part)
            for part in first.get("loc", ())
            if part not in ("body", "query", "path", "form", "file", "payload")
        ]
        field = ".".join(loc) or None
        message = first.get("msg", "Invalid input.")
        body = {
            "error": f"{field}: {message}" if field else message,
            "code": "invalid",
            "details": exc.errors,
        }
        if field:
            body["field"] = field
        return error_response(api, request, 422, body)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, {"error": "Sign in first.", "code": "unauthenticated"})

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(api, request, exc.status_code, {"error": str(exc), "code": code})


_HTTP_CODES = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}
