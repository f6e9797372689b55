"""Errors people can act on: a stable machine code, a human message and, where it helps, the field at fault.

Services raise these; every front door turns them into its own shape (JSON ``{"error", "code", "field"}`` on
the APIs, a message beside the form on pages).
"""

from __future__ import annotations


class SpoolError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    def as_dict(self) -> dict[str, str]:
        body = {"error": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class ValidationError(SpoolError):
    status = 422
    code = "invalid"


class NotFound(SpoolError):
    """Also used for things that exist but the viewer may not see, so existence does not leak."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "Not found.", **kwargs: str) -> None:
        super().__init__(message, **kwargs)


class Forbidden(SpoolError):
    status = 403
    code = "forbidden"


class Conflict(SpoolError):
    status = 409
    code = "conflict"


class RateLimited(SpoolError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, limit: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit = limit
