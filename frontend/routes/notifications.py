from django.urls import path

from frontend.views import notifications

urlpatterns: list = [
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read/",
        notifications.notification_read,
        name="notifications_read",
    ),
    path(
        "settings/notifications/",
        notifications.preferences_save,
        name="notification_preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.unsubscribe,
        name="notifications-unsubscribe",
    ),
]
