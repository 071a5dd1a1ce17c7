"""The real URLconf plus views that fail, to see what a server error answers."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from deliberation.urls import *  # noqa: F403  (handler404/500 with the patterns)
from deliberation.urls import urlpatterns as _real


@api_view(["GET"])
@permission_classes([AllowAny])
def boom(request):
    raise RuntimeError("boom")


def plain_boom(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/boom/", boom),
    path("api/v1/plain-boom/", plain_boom),
    path("plain-boom/", plain_boom),
    *_real,
]
