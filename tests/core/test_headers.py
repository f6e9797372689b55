"""spool.core.headers: headers set without Django's per-header checks land exactly as Django's setter
puts them (same names, values and order), and a fixed set is still checked once, by Django's rules."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.http.response import BadHeaderError

from spool.core.headers import Headers, put


def _django(*pairs: tuple[str, str], default: bool = False) -> HttpResponse:
    response = HttpResponse(b"{}", content_type="application/json")
    response["Permissions-Policy"] = "already"
    for name, value in pairs:
        if default:
            response.headers.setdefault(name, value)
        else:
            response[name] = value
    return response


def _ours() -> HttpResponse:
    response = HttpResponse(b"{}", content_type="application/json")
    response["Permissions-Policy"] = "already"
    return response


PAIRS = (("X-One", "1"), ("Permissions-Policy", "camera=()"), ("Access-Control-Allow-Origin", "*"))


def test_a_set_is_put_as_django_sets_it() -> None:
    response = _ours()
    Headers(*PAIRS).set_on(response)
    assert list(response.items()) == list(_django(*PAIRS).items())
    assert response["permissions-policy"] == "camera=()"


def test_a_set_is_defaulted_as_django_defaults_it() -> None:
    response = _ours()
    Headers(*PAIRS).default_on(response)
    assert list(response.items()) == list(_django(*PAIRS, default=True).items())
    assert response["Permissions-Policy"] == "already"  # kept


def test_put_stores_pairs_as_django_sets_them() -> None:
    response = _ours()
    put(response, PAIRS)
    assert list(response.items()) == list(_django(*PAIRS).items())
    assert response.has_header("x-one")


@pytest.mark.parametrize("pair", [("X-Bad", "a\nb"), ("X-Nön", "1")])
def test_a_set_is_checked_once_by_djangos_rules(pair: tuple[str, str]) -> None:
    with pytest.raises((BadHeaderError, UnicodeError)):
        Headers(pair)
