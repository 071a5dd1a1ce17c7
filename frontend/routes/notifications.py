from django.urls import path

from frontend.views import notifications

urlpatterns: list = [
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.unsubscribe,
        name="notifications-unsubscribe",
    ),
]
