"""The ``Link`` header is what ``build_absolute_uri`` and ``urlencode`` make of the request, whatever the
host, scheme, path and other parameters (its base URL is remembered per host and path)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from spool.api.mastodon.pagination import link_header


def _expected(request, keys):
    base = request.build_absolute_uri(request.path)
    kept = {k: v for k, v in request.GET.items() if k not in ("max_id", "since_id", "min_id")}
    return (
        f'<{base}?{urlencode({**kept, "max_id": keys[-1]})}>; rel="next", '
        f'<{base}?{urlencode({**kept, "min_id": keys[0]})}>; rel="prev"'
    )


@pytest.mark.parametrize(
    ("path", "query", "extra"),
    [
        ("/api/v1/timelines/home", {"limit": "40"}, {}),
        ("/api/v1/timelines/home", {}, {}),
        ("/api/v1/timelines/home", {"limit": "5", "max_id": "9", "local": "a b&c"}, {}),
        ("/api/v1/timelines/tag/caf%C3%A9", {"any[]": "x"}, {"SERVER_PORT": "8000"}),
        ("/api/v1/timelines/home", {"limit": "4"}, {"HTTP_HOST": "b.example", "wsgi.url_scheme": "https"}),
    ],
)
def test_the_link_header_is_the_request_made_absolute(settings, path, query, extra):
    settings.ALLOWED_HOSTS = ["*"]
    for _ in range(2):  # the second time from the remembered base
        request = RequestFactory().get(path, query, **extra)
        response = link_header(request, HttpResponse(), [30, 20, 10])
        assert response["Link"] == _expected(request, [30, 20, 10])
    assert not link_header(request, HttpResponse(), []).has_header("Link")
