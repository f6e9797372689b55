from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path

from spool.api.mastodon.api import api as mastodon_api
from spool.api.native.api import api as native_api


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"error": "No such API endpoint.", "code": "not_found"}, status=404)


urlpatterns = [
    path("spool/v1/", native_api.urls),
    path("", mastodon_api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
