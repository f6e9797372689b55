"""ASGI entry point: HTTP through Django; WebSockets through Channels once realtime consumers exist."""

import os

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spool.settings")
django_asgi = get_asgi_application()

application = ProtocolTypeRouter({"http": django_asgi})
