"""Counting an endpoint's queries the same way in both setups: the per-request rate-limit counter is one SQL
statement in the embedded mode and a Redis call at scale, so it is left out of pinned query counts."""

from __future__ import annotations

from django.test.utils import CaptureQueriesContext


def endpoint_queries(captured: CaptureQueriesContext) -> int:
    return sum(1 for query in captured.captured_queries if "core_ratecounter" not in query["sql"])
