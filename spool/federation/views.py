"""Federation endpoints: thin views over :mod:`documents`, :mod:`webfinger`, :mod:`nodeinfo` and
:mod:`inbox`. ActivityStreams answers carry ``application/activity+json``;
errors are ``{"error", "code"}``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from spool.federation import documents, instance_actor, nodeinfo, webfinger
from spool.federation.authorized_fetch import FetchRefused, check_fetch
from spool.federation.inbox import Refusal, receive
from spool.federation.policy import federating

AS_JSON = "application/activity+json"


def as_json(data: dict[str, Any] | None, content_type: str = AS_JSON) -> HttpResponse:
    if data is None:
        return error(404, "not_found", "Not found.")
    return JsonResponse(data, content_type=content_type, json_dumps_params={"ensure_ascii": False})


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": message, "code": code}, status=status)


@require_GET
def webfinger_view(request: HttpRequest) -> HttpResponse:
    resource = request.GET.get("resource", "")
    if not resource:
        return error(400, "missing_resource", "Ask for a resource, e.g. acct:name@this.server.")
    return as_json(webfinger.local_document(resource), webfinger.JRD)


@require_GET
def host_meta(request: HttpRequest) -> HttpResponse:
    return HttpResponse(nodeinfo.host_meta(), content_type="application/xrd+xml")


@require_GET
def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    return as_json(nodeinfo.links(), "application/json")


@require_GET
def nodeinfo_document(request: HttpRequest, version: str) -> HttpResponse:
    if version not in nodeinfo.VERSIONS:
        return error(404, "not_found", "Unknown NodeInfo version.")
    profile = f'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{version}#"'
    return as_json(nodeinfo.document(version), profile)


def refused_fetch(request: HttpRequest) -> HttpResponse | None:
    """The refusal to answer when this GET may not read our documents (see :mod:`authorized_fetch`)."""
    headers = _lower_case_headers(request.META)
    headers.setdefault("host", request.get_host())  # also refuses a host not allowed (400), as before
    try:
        check_fetch(request.method or "GET", request.get_full_path(), headers)
    except FetchRefused as refusal:
        return error(refusal.status, refusal.code, refusal.message)
    return None


def authorized(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer ``view`` only to fetches :func:`refused_fetch` lets through."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return refused_fetch(request) or view(request, *args, **kwargs)

    return wrapper


@require_GET
def site_actor(request: HttpRequest) -> HttpResponse:
    # Never behind a signature: servers read the site's key here to verify our signed fetches.
    return as_json(instance_actor.document())


@require_GET
@authorized
def actor(request: HttpRequest, account_id: int) -> HttpResponse:
    return as_json(documents.actor_document(account_id=account_id))


@require_GET
@authorized
def actor_collection(request: HttpRequest, account_id: int, kind: str) -> HttpResponse:
    return as_json(documents.collection(account_id, kind))


@require_GET
@authorized
def post_object(request: HttpRequest, post_id: int) -> HttpResponse:
    return as_json(documents.note_document(post_id))


@csrf_exempt
def inbox(request: HttpRequest, account_id: int | None = None) -> HttpResponse:
    """Personal and shared inbox: 202 once stored (or already received), 4xx with nothing stored otherwise."""
    if request.method != "POST":
        return error(405, "method_not_allowed", "Inboxes take POST.")
    if account_id is not None and not federating(account_id):
        return error(404, "not_found", "Not found.")
    headers = _lower_case_headers(request.META)
    headers.setdefault("host", request.get_host())  # also refuses a host not allowed (400), as before
    return answer_post(request.get_full_path(), headers, lambda limit: request.read(limit + 1))


def answer_post(full_path: str, headers: dict[str, str], read_body: Callable[[int], bytes]) -> HttpResponse:
    """The answer to an inbox POST to ``full_path`` (a personal inbox's person federates), its headers by
    lower-case name, its Host allowed: :func:`~spool.federation.inbox.receive`'s. The view's, and that of
    the route that takes the inbox POSTs under ASGI (:mod:`spool.inbox_asgi`)."""
    try:
        receive("POST", full_path, headers, read_body)
    except Refusal as refusal:
        return error(refusal.status, refusal.code, refusal.message)
    return HttpResponse(status=202)


# What Django's ``request.headers`` holds besides the HTTP_ variables (django.http.request.HttpHeaders).
_UNPREFIXED = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}


def _lower_case_headers(meta: dict[str, Any]) -> dict[str, str]:
    """The request's headers by lower-case name, as ``request.headers`` holds them, read from ``META`` in one
    pass: building Django's ``HttpHeaders`` and lower-casing it cost three times as much on every POST."""
    headers = {
        name[5:].replace("_", "-").lower(): value for name, value in meta.items() if name.startswith("HTTP_")
    }
    headers.update({lower: meta[name] for name, lower in _UNPREFIXED.items() if name in meta})
    return headers
