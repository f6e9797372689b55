"""ASGI entry point: HTTP through Django (except the streaming API's server-sent events); WebSockets through
Channels consumers, with the session of the web app available to them."""

import gc
import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application
from django.urls import path, re_path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spool.settings")
django_asgi = get_asgi_application()

# The inboxes take many short POSTs from other servers: one thread hop each instead of Django's three
# (spool.core.asgi_sync). A body is read up to one byte past the inbox's limit (the view answers 413), not
# whole. A POST goes straight to the inbox view (the router matched its path) through the middleware that
# can change its answer: the security middleware (an HTTPS redirect when configured, its headers), the
# common middleware (the host check), the frame and header middleware and the busy database's 503. Left
# out, as they let an inbox POST through untouched: sessions, CSRF, the signed-in user, session activity
# and messages (spool.web.middleware.pageless), ActivityStreams negotiation (GET and HEAD of /@ pages),
# and the Mastodon API's CORS and rate limit (its paths only). Other methods take the whole chain.
from django.conf import settings  # noqa: E402

from spool.core.asgi_sync import OneHopASGIHandler  # noqa: E402
from spool.federation.views import inbox  # noqa: E402

INBOX_POSTS_PASS = frozenset(
    {
        "spool.web.middleware.SessionMiddleware",
        "spool.web.middleware.CsrfViewMiddleware",
        "spool.web.middleware.AuthenticationMiddleware",
        "spool.web.middleware.SessionActivityMiddleware",
        "spool.web.middleware.MessageMiddleware",
        "spool.federation.negotiation.ActivityPubNegotiationMiddleware",
        "spool.api.mastodon.middleware.CorsMiddleware",
        "spool.api.mastodon.middleware.RateLimitMiddleware",
    }
)
one_hop = OneHopASGIHandler(
    body_limit=lambda: settings.SPOOL.federation_max_body_bytes, view=inbox, skip=INBOX_POSTS_PASS
)
# Channels routes to ASGI applications; django-stubs types path()'s target as a view.
inboxes = [
    path("ap/inbox", one_hop),  # type: ignore[arg-type]
    path("ap/accounts/<int:account_id>/inbox", one_hop),  # type: ignore[arg-type]
]

# Consumers import models: only once Django is set up.
from spool.api.mastodon import streaming as mastodon_streaming  # noqa: E402
from spool.realtime import messaging as messaging_socket  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": URLRouter([*inboxes, *mastodon_streaming.http_urlpatterns, re_path(r"", django_asgi)]),  # type: ignore[arg-type]
        "websocket": AuthMiddlewareStack(
            URLRouter([*mastodon_streaming.websocket_urlpatterns, *messaging_socket.websocket_urlpatterns])
        ),
    }
)

# What is loaded by now (modules, settings, URL patterns, the consumers) lives as long as the process: out of
# the collector's generations, so its collections stop walking it on every request's garbage (gc.freeze).
# A request allocates thousands of containers that die with it; collecting the youngest generation every
# 20,000 allocations rather than 700 leaves them to reference counting (GC time per warm home request, in
# process: 0.53 -> 0.17 ms; docs/subsystems/timelines.md).
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 20, 20)
