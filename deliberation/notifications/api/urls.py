from django.urls import path

from .follows import FollowDetailView, FollowListView
from .needs_action import NeedsActionView
from .notifications import (
    NotificationListView,
    NotificationPreferencesView,
    NotificationReadView,
)

urlpatterns: list = [
    path("follows/", FollowListView.as_view(), name="api-follows"),
    path("follows/<id:pk>/", FollowDetailView.as_view(), name="api-follow"),
    path("needs-action/", NeedsActionView.as_view(), name="api-needs-action"),
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/read/",
        NotificationReadView.as_view(),
        name="api-notifications-read",
    ),
    path(
        "notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
]
