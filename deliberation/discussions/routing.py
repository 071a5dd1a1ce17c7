from django.urls import path

from .consumers import ThreadConsumer

# `int`, not `id`: a websocket route that does not match is an error in Channels,
# not a close code, so the consumer range-checks the id itself and closes with 4404.
websocket_urlpatterns = [
    path("ws/threads/<int:thread_id>/", ThreadConsumer.as_asgi()),
]
