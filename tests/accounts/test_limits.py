"""Sign-up and sign-in limits live in the services, so every front door (web form, JSON API) enforces them."""

from __future__ import annotations

import json
from typing import Any

from spool.accounts.models import User
from spool.identities.services import SIGN_UP_LIMIT
from tests.identities.people import API, sign_up


def test_api_sign_ups_are_limited_per_network_address(anon: Any) -> None:
    for n in range(SIGN_UP_LIMIT.limit):
        device = type(anon)(REMOTE_ADDR="203.0.113.7")
        assert sign_up(device, f"person{n}").status_code == 201
    device = type(anon)(REMOTE_ADDR="203.0.113.7")
    refused = sign_up(device, "one_too_many")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert not User.objects.filter(email="one_too_many@example.com").exists()
    # Another address is not affected.
    assert sign_up(type(anon)(REMOTE_ADDR="203.0.113.8"), "elsewhere").status_code == 201


def test_sign_up_by_api_answers_bad_json_with_a_json_error(anon: Any) -> None:
    response = anon.post(API, json.dumps({"email": "x@example.com"}), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
