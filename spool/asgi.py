"""ASGI entry point: HTTP through Django (except the streaming API's server-sent events); WebSockets through
Channels consumers, with the session of the web app available to them."""

import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application
from django.urls import path, re_path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spool.settings")
django_asgi = get_asgi_application()

# The inboxes take many short POSTs from other servers: one thread hop each instead of Django's three
# (spool.core.asgi_sync); same middleware and view. A body is read up to one byte past the inbox's limit
# (the view answers 413), not whole.
from django.conf import settings  # noqa: E402

from spool.core import heap  # noqa: E402
from spool.core.asgi_sync import OneHopASGIHandler  # noqa: E402

one_hop = OneHopASGIHandler(body_limit=lambda: settings.SPOOL.federation_max_body_bytes)
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

# Out of the collector's way: what is loaded by now lives as long as the process (spool.core.heap).
heap.settle()
