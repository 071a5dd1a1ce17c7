"""All websocket routes; each app contributes its own list."""

from deliberation.discussions.routing import websocket_urlpatterns as discussion_routes
from deliberation.notifications.routing import (
    websocket_urlpatterns as notification_routes,
)

websocket_urlpatterns = [*discussion_routes, *notification_routes]
