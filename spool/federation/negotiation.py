"""Content negotiation on profile and post pages: a fediverse server asking ``/@handle`` or
``/@handle/post/<id>`` for ActivityStreams JSON gets the actor or the Note; browsers get the page, and
those pages say ``Vary: Accept`` so caches keep the two apart."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from spool.federation import documents
from spool.federation.views import as_json, refused_fetch

_PROFILE = re.compile(r"^/@([A-Za-z0-9_.]{1,30})/?$")
_POST = re.compile(r"^/@([A-Za-z0-9_.]{1,30})/post/(\d{1,20})/?$")


def wants_activitystreams(accept: str) -> bool:
    for part in accept.lower().split(","):
        kind = part.split(";", 1)[0].strip()
        if kind == "application/activity+json":
            return True
        if kind == "application/ld+json" and "activitystreams" in part:
            return True
    return False


class ActivityPubNegotiationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        negotiable = request.method in ("GET", "HEAD") and path.startswith("/@")
        if negotiable and wants_activitystreams(request.headers.get("Accept", "")):
            refused = refused_fetch(request) if _POST.match(path) or _PROFILE.match(path) else None
            if refused is not None:
                return refused
            post = _POST.match(path)
            if post:
                found = documents.note_document(int(post.group(2)))
                if found is not None and not found["url"].lower().endswith(path.lower().rstrip("/")):
                    found = None  # the id belongs to someone else's handle
                return as_json(found)
            profile = _PROFILE.match(path)
            if profile:
                return as_json(documents.actor_document(handle=profile.group(1)))
        response = self.get_response(request)
        if negotiable:
            response["Vary"] = ", ".join(filter(None, [response.get("Vary", ""), "Accept"]))
        return response
