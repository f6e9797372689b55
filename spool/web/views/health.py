"""Liveness for operators: the database and the cache answer."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    cache.set("healthz", "ok", 10)
    return JsonResponse({"database": connection.vendor, "cache": cache.get("healthz") == "ok"})
