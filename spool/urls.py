from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from spool.api import oauth

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/", include("spool.api.urls")),
    path("oauth/token", oauth.token, name="oauth_token"),
    path("oauth/revoke", oauth.revoke, name="oauth_revoke"),
    path("oauth/userinfo", oauth.userinfo, name="oauth_userinfo"),
    path(".well-known/oauth-authorization-server", oauth.server_metadata, name="oauth_metadata"),
    path("", include("spool.federation.urls")),
    path("", include("spool.web.urls")),
]

if settings.SPOOL.serve_media:
    # Embedded mode serves uploads itself; at scale a CDN or object store does.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
