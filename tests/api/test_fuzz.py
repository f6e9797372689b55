"""Fuzzing both APIs with schemathesis: every operation of the native API (``/api/spool/v1/openapi.json``) and
of the Mastodon-compatible API (``/api/openapi.json``), as their served OpenAPI schemas describe them, gets
generated requests — valid ones and, for each, broken ones — from a signed-in person with real credentials (a
session cookie and CSRF token on the native API, an OAuth bearer token with every scope on the Mastodon API).
No request may be answered with a 5xx.

The requests go through Django's real WSGI handler (middleware, URL routing, the API's error handlers), in
the test's transaction: each example runs in a savepoint that is rolled back afterwards, so examples do not
see each other's writes, and after-commit work runs before the rollback as it would after a real commit.

Bounded for CI: ``EXAMPLES`` generated examples per operation (besides schemathesis' own probes: other HTTP
methods, missing credentials), derandomized, so a failure reproduces on the next run; raise ``EXAMPLES``
locally to explore further. Half of the path parameters that name something (a post, an account, a handle, a
topic, a conversation, a message, a list) get a real one, so requests reach the code behind the lookup.
Streaming endpoints are left out (they hold the connection open; ``tests/api/mastodon/test_streaming.py``
covers them). ``SPOOL_FUZZ_LOG=1`` prints every request and its status to stderr (run with ``-n 0 -s``)."""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, TestCase
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from spool.feeds.lists import create_list
from spool.identities.services import follow_account, register_account
from spool.messaging.services.conversations import start_conversation
from spool.oauth import scopes as scope_rules
from spool.oauth.services import create_application, issue_token
from spool.posts.services import create_post

EXAMPLES = 5
PASSWORD = "a long enough passphrase"

# The native API's schema; the Mastodon API's (both served by django-ninja).
NATIVE_SCHEMA = "/api/spool/v1/openapi.json"
MASTODON_SCHEMA = "/api/openapi.json"


class _Rollback(Exception):
    """Raised to roll back one example's savepoint."""


class _InTestTransaction(WSGIHandler):
    """Django's WSGI handler for a test that holds the database in a transaction: the connection is not
    closed between requests (Django's test client does the same), each request runs in a savepoint rolled
    back afterwards, and its after-commit work runs at the end of the request."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        result: list[Any] = []
        try:
            with transaction.atomic():
                with TestCase.captureOnCommitCallbacks(execute=True):
                    response = super().__call__(environ, start_response)
                    # Read the body inside the savepoint: a streaming body may still query.
                    result = [b"".join(response)]
                    response.close()
                raise _Rollback
        except _Rollback:
            pass
        return result


@pytest.fixture
def _connections_kept() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def _module_scene(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The scene, made once for the module's tests (one per operation) in a transaction rolled back when they
    are done: each test's own transaction nests in it as a savepoint, as each example does in the test's."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _make_scene()
        transaction.set_rollback(True)


@pytest.fixture
def scene(_module_scene: dict[str, Any], db: None, _connections_kept: None) -> dict[str, Any]:
    """A signed-in person (ana) who follows bo and talks with him, with posts, a list and a conversation to
    act on; their credentials; and ``ids``: a real value for each kind of path parameter."""
    return _module_scene


def _make_scene() -> dict[str, Any]:
    ana = register_account(email="ana@example.com", password=PASSWORD, handle="ana")
    bo = register_account(email="bo@example.com", password=PASSWORD, handle="bo")
    follow_account(ana, bo)
    follow_account(bo, ana)
    theirs = create_post(bo, text="Hello from bo", topic="Fuzzing")
    create_post(ana, text="Hello from ana")
    message = start_conversation(ana, bo, text="Hi bo")
    ana_list = create_list(ana, title="Friends")
    browser = Client()
    assert browser.login(username="ana@example.com", password=PASSWORD)
    app = create_application(
        name="Fuzzer", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow push"
    )
    token = issue_token(app.application, ana, scope_rules.parse("read write follow push")).access_token
    ids = {
        ("status_id", "post_id"): theirs.id,
        ("account_id", "requester_id"): bo.id,
        ("handle",): "bo",
        ("name", "hashtag"): "fuzzing",
        ("conversation_id",): message.conversation_id,
        ("message_id",): message.id,
        ("list_id",): ana_list.id,
    }
    return {
        "session": browser.cookies["sessionid"].value,
        "csrf": _get_new_csrf_string(),
        "token": token,
        "ids": {name: str(value) for names, value in ids.items() for name in names},
    }


def _load(path: str) -> Any:
    """The schema as the API serves it (read with Django's plain handler: no test database yet when the module
    is collected); the generated requests go to :class:`_InTestTransaction`."""
    schema = schemathesis.openapi.from_wsgi(path, WSGIHandler()).exclude(path_regex="/streaming")
    schema.app = _InTestTransaction()
    return schema


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

# Loaded when the module is collected (one test per operation); the schema views read no database.
native = _load(NATIVE_SCHEMA)
mastodon = _load(MASTODON_SCHEMA)


def _call(case: Any, ids: dict[str, str], **kwargs: Any) -> None:
    """Send ``case`` — with half of the path parameters that name something replaced by a real one (chosen
    from the generated value, so the same on every run), so that requests get past the lookup into the
    code behind it — and fail on a 5xx, or on a refused credential (the fuzz must run signed in)."""
    for name, value in (case.path_parameters or {}).items():
        if name in ids and zlib.crc32(repr(value).encode()) % 2:
            case.path_parameters[name] = ids[name]
    response = case.call(**kwargs)
    if os.environ.get("SPOOL_FUZZ_LOG"):
        print("fuzz", case.method, case.path, response.status_code, response.request.url, file=sys.stderr)
    case.validate_response(response, checks=[not_a_server_error])
    sent = response.request.headers
    credentials = "Bearer " in sent.get("Authorization", "") or "sessionid=" in sent.get("Cookie", "")
    assert not (credentials and response.status_code == 401), response.text


@native.parametrize()
@FUZZ
def test_native_api_never_answers_5xx(case: Any, scene: dict[str, Any]) -> None:
    _call(
        case,
        scene["ids"],
        headers={"X-CSRFToken": scene["csrf"], "Origin": "http://localhost"},
        cookies={"sessionid": scene["session"], "csrftoken": scene["csrf"]},
    )


@mastodon.parametrize()
@FUZZ
def test_mastodon_api_never_answers_5xx(case: Any, scene: dict[str, Any]) -> None:
    _call(case, scene["ids"], headers={"Authorization": f"Bearer {scene['token']}"})
