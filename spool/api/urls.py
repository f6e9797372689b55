from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt

from spool.api.mastodon.api import api as mastodon_api
from spool.api.native.api import api as native_api


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"error": "No such API endpoint.", "code": "not_found"}, status=404)


@csrf_exempt  # the endpoint it hands over to applies its own policy
def without_trailing_slash(request: HttpRequest, rest: str) -> HttpResponse:
    """Mastodon answers its API paths with a trailing slash too, and clients use it (Mastodon.py asks for
    ``/api/v1/instance/``): the same endpoint, the same request."""
    try:
        match = resolve(f"/api/{rest}")
    except Resolver404:
        return not_found(request)
    if match.func is without_trailing_slash or match.func is not_found:
        return not_found(request)
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    return response


urlpatterns = [
    path("spool/v1/", native_api.urls),
    path("", mastodon_api.urls),
    re_path(r"^(?P<rest>v[12]/.+[^/])/$", without_trailing_slash),
    re_path(r"^(?P<rest>.*)$", not_found),
]
