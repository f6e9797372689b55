"""ASGI entry point: HTTP through Django, one thread hop per request (:mod:`spool.core.asgi_sync`), except the
streaming API's server-sent events; WebSockets through Channels consumers, with the session of the web app
available to them."""

import os
import re
from typing import Any

import django
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import re_path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spool.settings")
django.setup(set_prefix=False)

# Every plain HTTP request goes through Django with one thread hop instead of Django's several
# (spool.core.asgi_sync): the same middleware, views and signals. The inboxes take many short POSTs from
# other servers: their body is read up to one byte past the inbox's limit (the view answers 413), not whole.
from django.conf import settings  # noqa: E402

from spool import inbox_asgi  # noqa: E402
from spool.core import heap  # noqa: E402
from spool.core.asgi_sync import OneHopASGIHandler  # noqa: E402

django_http = OneHopASGIHandler()
# Their POSTs answered without Django's request handling when nothing but the view and a few fixed headers
# would answer them (spool.inbox_asgi); anything else as every other request.
inbox_http = OneHopASGIHandler(
    body_limit=lambda: settings.SPOOL.federation_max_body_bytes, direct=inbox_asgi.answer, bare=True
)
_INBOX = re.compile(r"/ap/(?:accounts/\d+/)?inbox")

# Consumers import models: only once Django is set up.
from spool.api.mastodon import streaming as mastodon_streaming  # noqa: E402
from spool.realtime import messaging as messaging_socket  # noqa: E402

# The streaming API's server-sent events: Channels consumers (anything else under that path: Django).
# Channels routes to ASGI applications; django-stubs types path()'s target as a view.
streaming_http = URLRouter([*mastodon_streaming.http_urlpatterns, re_path(r"", django_http)])  # type: ignore[arg-type]
STREAMING_PREFIX = "/api/v1/streaming"


async def http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    path = scope["path"]
    if path.startswith(STREAMING_PREFIX):
        await streaming_http(scope, receive, send)
    elif _INBOX.fullmatch(path):
        await inbox_http(scope, receive, send)
    else:
        await django_http(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AuthMiddlewareStack(
            URLRouter([*mastodon_streaming.websocket_urlpatterns, *messaging_socket.websocket_urlpatterns])
        ),
    }
)

# Out of the collector's way: what is loaded by now lives as long as the process (spool.core.heap).
heap.settle()
