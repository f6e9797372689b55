"""OAuth errors as RFC 6749 names them (``invalid_grant``, ``invalid_client``…): the ``code`` is the RFC's
error name and the ``message`` its ``error_description``."""

from __future__ import annotations

from spool.core.errors import SpoolError


class OAuthError(SpoolError):
    status = 400
    code = "invalid_request"

    def __init__(self, code: str, description: str, *, status: int | None = None) -> None:
        super().__init__(description, code=code)
        if status is not None:
            self.status = status


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_client() -> OAuthError:
    # Deliberately the same words for an unknown client and a wrong secret.
    return OAuthError(
        "invalid_client",
        "Client authentication failed due to unknown client, no client authentication included, "
        "or unsupported authentication method.",
        status=401,
    )


def invalid_grant(description: str = "") -> OAuthError:
    return OAuthError(
        "invalid_grant",
        description
        or "The provided authorization grant is invalid, expired, revoked, does not match the redirection "
        "URI used in the authorization request, or was issued to another client.",
    )
