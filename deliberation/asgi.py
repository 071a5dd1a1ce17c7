"""ASGI entry point: websockets under /ws/ (uvicorn/daphne in production); in the
embedded profile the same process also serves HTTP."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deliberation.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from deliberation.realtime.auth import WebsocketGuard  # noqa: E402
from deliberation.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebsocketGuard(URLRouter(websocket_urlpatterns)),
    }
)
