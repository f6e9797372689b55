"""Mastodon's error shape: ``{"error": "..."}`` (plus Spool's stable ``code``) with a 4xx status."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from spool.api.common.errors import install_error_handlers


def install_mastodon_errors(api: NinjaAPI) -> None:
    install_error_handlers(api, invalid_prefix="Validation failed: ")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, {"error": "The access token is invalid", "code": "unauthorized"}, status=401
        )

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "form"))
        message = first.get("msg", "Invalid input")
        return api.create_response(
            request,
            {
                "error": f"Validation failed: {where}: {message}"
                if where
                else f"Validation failed: {message}",
                "code": "invalid",
            },
            status=422,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"error": str(exc), "code": "http_error"}, status=exc.status_code)
