"""The Mastodon-compatible API: one NinjaAPI mounted at ``/api/``; each resource is a router module whose
paths carry their version (``/v1/statuses``, ``/v2/search``)."""

from __future__ import annotations

import importlib
from typing import Any

import orjson
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.renderers import BaseRenderer

from spool.api.mastodon.errors import install_mastodon_errors

# Resource modules, in the order their routes are matched (Django tries an API path against each route in
# turn, so the most requested reads come first: timelines and notifications, whose paths no other module
# shares). A module that does not exist yet is skipped.
ROUTERS = (
    "timelines", "notifications", "markers", "apps", "instance", "accounts", "statuses", "polls", "media",
    "follow_requests", "bookmarks", "favourites", "blocks", "mutes", "lists", "filters", "search",
    "trends", "suggestions", "custom_emojis", "preferences", "conversations", "streaming", "reports", "tags",
    "admin_domains",
)  # fmt: skip


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


api = NinjaAPI(
    title="Spool — Mastodon-compatible API",
    version="4.5.0-compatible",
    urls_namespace="mastodon-api",
    renderer=OrjsonRenderer(),
    description=(
        "Mastodon's client API as documented at docs.joinmastodon.org; Spool-only fields under `spool`. "
        'Errors: {"error", "code"} with a 4xx status.'
    ),
)
install_mastodon_errors(api)

for _name in ROUTERS:
    try:
        _module = importlib.import_module(f"spool.api.mastodon.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"spool.api.mastodon.{_name}":
            raise
        continue
    api.add_router("", _module.router)
