"""Mastodon's rate-limit headers on every /api/v1 and /api/v2 response, 300 requests per 5 minutes per token
(per address without one), and 429 with Mastodon's body past it; CORS for browser apps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from conftest import CommitClient
from spool.oauth.models import Application

VERIFY = "/api/v1/apps/verify_credentials"


def reset_of(response: Any) -> datetime:
    value = response["X-RateLimit-Reset"]
    assert value.endswith("Z")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_successful_calls_carry_the_headers_and_count_down(mastodon: Any) -> None:
    ana = mastodon("ana")
    first = ana.get(VERIFY)
    second = ana.get(VERIFY)
    assert first.status_code == second.status_code == 200
    assert first["X-RateLimit-Limit"] == "300"
    assert first["X-RateLimit-Remaining"] == "299"
    assert second["X-RateLimit-Remaining"] == "298"
    now = datetime.now(UTC)
    assert now < reset_of(first) <= now + timedelta(minutes=5)


def test_each_token_has_its_own_budget(mastodon: Any) -> None:
    ana, bea = mastodon("ana"), mastodon("bea")
    ana.get(VERIFY)
    ana.get(VERIFY)
    assert bea.get(VERIFY)["X-RateLimit-Remaining"] == "299"


def test_past_the_limit_is_429_with_mastodons_body(db: None) -> None:
    visitor = CommitClient()
    for _ in range(300):
        assert visitor.get("/api/v1/apps/verify_credentials").status_code == 401
    refused = visitor.get("/api/v1/apps/verify_credentials")
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["Retry-After"]) >= 1
    # Writes are refused too, before they happen.
    created = visitor.post("/api/v1/apps", {"client_name": "X", "redirect_uris": "https://x.example/cb"})
    assert created.status_code == 429
    assert not Application.objects.exists()
    # Another address is not affected.
    assert CommitClient().get(VERIFY)["X-RateLimit-Remaining"] == "299"


def test_the_native_api_and_pages_are_not_counted_here(client: Any) -> None:
    assert "X-RateLimit-Limit" not in client.get("/new")
    assert "X-RateLimit-Limit" not in client.get("/api/spool/v1/nothing")


def test_browser_apps_may_call_the_api_and_the_token_endpoint(db: None) -> None:
    browser = CommitClient()
    for path in (VERIFY, "/oauth/token", "/.well-known/oauth-authorization-server"):
        preflight = browser.options(
            path, HTTP_ORIGIN="https://elk.zone", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
        )
        assert preflight.status_code == 204
        assert preflight["Access-Control-Allow-Origin"] == "*"
        assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    response = browser.get(VERIFY, HTTP_ORIGIN="https://elk.zone")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "X-RateLimit-Remaining" in response["Access-Control-Expose-Headers"]
    assert "Link" in response["Access-Control-Expose-Headers"]
    # The session-authenticated native API is not opened to other origins.
    assert "Access-Control-Allow-Origin" not in browser.get(
        "/api/spool/v1/nothing", HTTP_ORIGIN="https://x.example"
    )


def test_reads_write_no_counter_row(mastodon: Any, settings: Any) -> None:
    """The request limit counts every call (Redis at scale, this process's memory embedded): a read writes
    nothing to the database."""
    from spool.core.models import RateCounter

    ana = mastodon("ana")
    before = RateCounter.objects.count()
    assert ana.get(VERIFY)["X-RateLimit-Remaining"] == "299"
    assert ana.get("/api/v1/timelines/home")["X-RateLimit-Remaining"] == "298"
    assert RateCounter.objects.count() == before


def test_the_reset_moment_is_written_as_mastodon_writes_it() -> None:
    from spool.api.mastodon.middleware import reset_at

    before = datetime.now(UTC)
    written = reset_at(90)
    after = datetime.now(UTC)
    # ISO 8601 in UTC to the millisecond with a Z: 2026-11-24T23:20:00.123Z
    assert len(written) == 24 and written[10] == "T" and written[19] == "." and written.endswith("Z")
    moment = datetime.fromisoformat(written.replace("Z", "+00:00"))
    assert (
        before + timedelta(seconds=90) - timedelta(milliseconds=1) <= moment <= after + timedelta(seconds=90)
    )
    assert written == moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
