"""Every route of the Mastodon API, walked by introspection: no token → 401 (unless the endpoint is public), a
bad token → 401, a token lacking the needed scope → 403 with Mastodon's body, an app token where a person
is needed → 422; nothing is written on any refusal. Each route's scope is one Mastodon documents for it.

Public endpoints (served without a token) are those Mastodon serves anonymously: the ones its API
description lists without security, and the ``ALSO_PUBLIC`` ones its method pages describe as public
(they list a scope for the signed-in variant)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from conftest import CommitClient
from spool.oauth import scopes as scope_rules
from tests.api.mastodon.conftest import Caller
from tests.api.mastodon.routes import Route, mastodon_security, routes

ALSO_PUBLIC = {
    "GET /api/v1/statuses",
    "GET /api/v1/statuses/{}",
    "GET /api/v1/statuses/{}/context",
    "GET /api/v1/statuses/{}/favourited_by",
    "GET /api/v1/statuses/{}/reblogged_by",
    "GET /api/v1/statuses/{}/history",
    "GET /api/v1/statuses/{}/quotes",
    "GET /api/v1/statuses/{}/card",
    "GET /api/v1/accounts/{}/statuses",
    "GET /api/v1/accounts/lookup",
    "GET /api/v1/timelines/public",
    "GET /api/v1/timelines/tag/{}",
    "GET /api/v1/timelines/link",
    "GET /api/v1/polls/{}",
    "GET /api/v1/tags/{}",
    "GET /api/v2/search",
    "GET /api/v1/accounts/search",
}
# Served without a token although Mastodon asks for one, on purpose (each with its reason).
LENIENT: dict[str, str] = {}
# Where Mastodon's documentation and its controllers disagree, the controllers' scope is accepted too.
CONTROLLER_SCOPES = {
    # Documented as read:statuses; Mastodon's controllers authorize read:accounts (these list accounts).
    "GET /api/v1/statuses/{}/favourited_by": "read:accounts",
    "GET /api/v1/statuses/{}/reblogged_by": "read:accounts",
    # The documentation lists write:notifications for this read; the controller authorizes read:notifications.
    "GET /api/v2/notifications/{}/accounts": "read:notifications",
}
REFUSALS = {
    401: "The access token is invalid",
    403: "This action is outside the authorized scopes",
    422: "This method requires an authenticated user",
}
ALL_ROUTES = sorted(routes(), key=lambda route: route.key)


DERIVED_TABLES = {"core_ratecounter", "feeds_candidatepool"}


def row_counts() -> dict[str, int]:
    """Rows in every table, one query. Rate-limit counters and candidate pools are left out: counting
    requests and storing a derived pool that a read found stale (``feeds.for_you.pools.read_pool``) are not
    writes of anyone's data."""
    tables = [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in DERIVED_TABLES
    ]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM {quote(table)}" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def send(client: CommitClient, route: Route) -> Any:
    """The route called with a plausible body: auth must refuse before anything is read or written."""
    call = getattr(client, route.method.lower())
    if route.method in ("GET", "DELETE"):
        return call(route.url())
    return call(route.url(), json.dumps({"status": "refused?", "id": "1"}), content_type="application/json")


def lacking(needed: str) -> str:
    """Every scope except those that would grant ``needed``: proves the rule is exactly that scope."""
    held = sorted(name for name in scope_rules.KNOWN if not scope_rules.grants(frozenset({name}), needed))
    assert not scope_rules.grants(frozenset(held), needed)
    return " ".join(held)


def test_the_walk_finds_the_routes() -> None:
    assert any(route.key == "GET /api/v1/apps/verify_credentials" for route in ALL_ROUTES)


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda route: route.key)
def test_only_documented_endpoints_are_public(route: Route) -> None:
    if not route.anonymous:
        return
    key = route.template
    assert key in ALSO_PUBLIC or key in LENIENT or mastodon_security().get(key, "missing") is None, (
        f"{key} serves anonymous callers, but Mastodon requires a token there"
    )


@pytest.mark.parametrize("route", [r for r in ALL_ROUTES if r.auth], ids=lambda route: route.key)
def test_the_scope_is_one_mastodon_documents(route: Route) -> None:
    assert route.auth is not None
    security = mastodon_security().get(route.template)
    listed = {name for rule in security or [] for name in rule.get("OAuth2", [])}
    if route.auth.scope is None:
        assert not listed, f"{route.key} takes any token; Mastodon documents {sorted(listed)}"
        return
    if listed and CONTROLLER_SCOPES.get(route.template) != route.auth.scope:
        assert route.auth.scope in listed or any(
            scope_rules.grants(frozenset({route.auth.scope}), name) for name in listed
        ), f"{route.key} needs {route.auth.scope}; Mastodon documents {sorted(listed)}"


@pytest.mark.parametrize("route", [r for r in ALL_ROUTES if r.auth], ids=lambda route: route.key)
def test_refusals_have_mastodons_status_and_body_and_write_nothing(
    route: Route, mastodon: Callable[..., Caller]
) -> None:
    assert route.auth is not None
    mastodon("ana")  # someone exists, with a token, so there is something to write
    needed = route.auth.scope
    attempts: list[tuple[str, CommitClient, int | None]] = [
        ("bad token", CommitClient(HTTP_AUTHORIZATION="Bearer not-a-token"), 401),
        ("no token", CommitClient(), None if route.auth.optional else 401),
    ]
    if needed is not None:  # scoped(None): any valid token is enough
        attempts.append(("lacking scope", mastodon("ana", scopes=lacking(needed)).client, 403))
    if route.auth.person and not route.auth.optional:
        attempts.append(("app token", mastodon(None, scopes=needed or "read").client, 422))
    for label, client, expected in attempts:
        before = row_counts()
        response = send(client, route)
        after = row_counts()
        changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
        assert not changed, f"{route.key} with {label} wrote: {changed}"
        if expected is None:
            assert response.status_code not in (401, 403), (
                f"{route.key} is public but refused anonymous callers"
            )
            continue
        assert response.status_code == expected, f"{route.key} with {label}: {response.status_code}"
        assert response.json()["error"] == REFUSALS[expected], (
            f"{route.key} with {label}: {response.content!r}"
        )
