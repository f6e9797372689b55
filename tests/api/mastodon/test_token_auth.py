"""Bearer tokens and scopes on the Mastodon API: Mastodon's statuses and error bodies."""

from __future__ import annotations

from typing import Any

from conftest import CommitClient
from spool.oauth.models import Token
from spool.oauth.services import revoke

VERIFY = "/api/v1/apps/verify_credentials"


def test_a_valid_token_is_accepted(mastodon: Any) -> None:
    app = mastodon("ana")
    response = app.get(VERIFY)
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Test client"
    assert response.json()["scopes"] == ["follow", "push", "read", "write"]


def test_no_token_or_a_wrong_one_is_401(db: None) -> None:
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": "Basic abc"}):
        response = CommitClient(**headers).get(VERIFY)
        assert response.status_code == 401
        assert response.json()["error"] == "The access token is invalid"


def test_a_token_without_the_scope_is_403(mastodon: Any) -> None:
    response = mastodon("ana", scopes="write").get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 403
    assert response.json() == {
        "error": "This action is outside the authorized scopes",
        "code": "insufficient_scope",
    }


def test_a_revoked_token_is_401(mastodon: Any) -> None:
    app = mastodon("ana")
    assert app.get(VERIFY).status_code == 200
    revoke(Token.objects.get(account__handle="ana"))
    assert app.get(VERIFY).status_code == 401


def test_unknown_api_paths_are_json_404(mastodon: Any) -> None:
    response = mastodon("ana").get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert "error" in response.json()


def test_token_calls_skip_the_page_middleware_and_keep_the_security_headers(
    mastodon: Any, client: Any
) -> None:
    """Sessions, CSRF, the signed-in user and messages are for pages; a bearer-token call goes without them
    and still gets every security header a page gets."""
    call = mastodon("ana").get(VERIFY)
    page = client.get("/login")
    for response in (call, page):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in response and "Permissions-Policy" in response
    assert not hasattr(call.wsgi_request, "session") and not hasattr(call.wsgi_request, "user")
    assert hasattr(page.wsgi_request, "session") and hasattr(page.wsgi_request, "user")
    # Without a token, the API is reached like any other path.
    anonymous = client.get("/api/v1/timelines/public")
    assert hasattr(anonymous.wsgi_request, "session")
