"""Spool's URLs plus the bench's ceiling view (see :mod:`bench.asgi`)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from django.http import HttpRequest, HttpResponse
from django.urls import path

from spool.urls import urlpatterns as spool_urlpatterns

_CEILING_FILE = os.environ.get("SPOOL_BENCH_CEILING", "")
# Ready-made statuses: parsed once, serialised on every request (as a view with its data in hand would).
STATUSES = orjson.loads(Path(_CEILING_FILE).read_bytes()) if _CEILING_FILE else []


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse(orjson.dumps(STATUSES), content_type="application/json")


urlpatterns = [path("bench/ceiling", ceiling), *spool_urlpatterns]
